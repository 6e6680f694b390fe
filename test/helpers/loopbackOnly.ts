/**
 * A guard for tests of code that could reach out on its own (the VM metadata service at
 * 169.254.169.254, Microsoft's sign-in hosts): every TCP connection this process opens to a
 * host outside the loopback range is refused before any packet (and before any DNS lookup), and
 * recorded so the test can assert that none was attempted.
 */
import * as net from 'net';

export interface LoopbackGuard {
	/** host:port of every refused connection attempt. */
	refused: string[];
	remove(): void;
}

function isLoopback(host: string): boolean {
	const h = host.replace(/^\[|\]$/g, '').toLowerCase();
	return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;

export function allowLoopbackOnly(): LoopbackGuard {
	const prototype = net.Socket.prototype as unknown as { connect: Connect };
	const original = prototype.connect;
	const refused: string[] = [];
	prototype.connect = function (this: net.Socket, ...args: unknown[]) {
		// net.createConnection hands over [options, callback] as one normalized array.
		const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
		const options = (typeof first === 'object' && first !== null ? first : { port: first, host: args[1] }) as {
			host?: unknown;
			port?: unknown;
			path?: unknown;
		};
		if (typeof options.path !== 'string') {
			const host = typeof options.host === 'string' && options.host ? options.host : 'localhost';
			if (!isLoopback(host)) {
				refused.push(`${host}:${String(options.port)}`);
				const error = Object.assign(new Error(`Test guard: connection to ${host}:${String(options.port)} refused (loopback only)`), {
					code: 'ECONNREFUSED',
				});
				process.nextTick(() => this.destroy(error));
				return this;
			}
		}
		return original.apply(this, args);
	};
	return {
		refused,
		remove: () => {
			prototype.connect = original;
		},
	};
}
