'use strict';
/**
 * Preloaded (NODE_OPTIONS=--require) into the n8n processes of bench/n8n.js: resolves the one host
 * name in BENCH_ACCOUNT_HOST (e.g. devstoreaccount1.blob.localhost) to 127.0.0.1 and leaves every
 * other lookup alone.
 *
 * Why: n8n's built-in Azure Storage node signs `/<account><path>` and accepts only a custom
 * endpoint without a path, so it can reach Azurite only with the account in the host name
 * (Azurite's "production-style" URLs), and such a name does not resolve on this machine. This
 * changes name resolution only; the requests go straight to Azurite, as this package's node's do.
 */
const dns = require('node:dns');

const host = (process.env.BENCH_ACCOUNT_HOST || '').toLowerCase();

if (host) {
	const lookup = dns.lookup;
	dns.lookup = function lookupAccountHost(hostname, options, callback) {
		if (typeof hostname !== 'string' || hostname.toLowerCase() !== host) return lookup.apply(this, arguments);
		if (typeof options === 'function') {
			callback = options;
			options = {};
		}
		if (options && typeof options === 'object' && options.all) {
			process.nextTick(callback, null, [{ address: '127.0.0.1', family: 4 }]);
		} else {
			process.nextTick(callback, null, '127.0.0.1', 4);
		}
		return {};
	};
	const lookupPromise = dns.promises.lookup;
	dns.promises.lookup = async function lookupAccountHostPromise(hostname, options) {
		if (typeof hostname !== 'string' || hostname.toLowerCase() !== host) return lookupPromise.apply(this, arguments);
		return options && typeof options === 'object' && options.all ? [{ address: '127.0.0.1', family: 4 }] : { address: '127.0.0.1', family: 4 };
	};
}
