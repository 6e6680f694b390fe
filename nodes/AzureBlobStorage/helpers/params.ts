/**
 * Reads node parameters after n8n resolved their expressions, and checks them: an expression can
 * hand over any JSON value (a number where text belongs, an object, NaN, "abc" for a number), and
 * the editor's own limits (minValue, maxValue, options) do not apply to it. Every reader names
 * the field as the editor shows it, so the error says what to fix.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** "a number (42)", "an object", "text" ... for messages about a value's type. */
export function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (value === undefined) return 'nothing (undefined)';
	if (Array.isArray(value)) return 'a list (array)';
	switch (typeof value) {
		case 'string':
			return 'text';
		case 'number':
			return Number.isNaN(value) ? 'NaN (not a number)' : `a number (${value})`;
		case 'boolean':
			return `a boolean (${value})`;
		case 'object':
			return 'an object';
		default:
			return typeof value;
	}
}

function fail(ctx: IExecuteFunctions, itemIndex: number, message: string, description?: string): never {
	throw new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
}

/**
 * A text field. Numbers, booleans, objects and lists are refused with a message about their type
 * (never "[object Object]"); `allowNumber` accepts a finite number as its decimal text.
 */
export function textValue(
	ctx: IExecuteFunctions,
	value: unknown,
	itemIndex: number,
	field: string,
	options: { allowNumber?: boolean } = {},
): string {
	if (typeof value === 'string') return value;
	if (value === undefined || value === null) return '';
	if (options.allowNumber && typeof value === 'number' && Number.isFinite(value)) return String(value);
	const hint =
		typeof value === 'object'
			? 'To store an object as text use {{ JSON.stringify(...) }}; to use one of its fields, pick that field (e.g. {{ $json.name }}).'
			: 'Convert it in the expression, e.g. {{ String($json.id) }}.';
	return fail(ctx, itemIndex, `${field} must be text, but the expression returned ${describeType(value)}`, hint);
}

export function readText(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	field: string,
	fallback = '',
	options: { allowNumber?: boolean } = {},
): string {
	return textValue(ctx, ctx.getNodeParameter(name, itemIndex, fallback), itemIndex, field, options);
}

export interface IntegerRange {
	min: number;
	max: number;
}

/**
 * A whole number within a range. Text holding a number ("8") is accepted; NaN, Infinity,
 * fractions, out-of-range values, empty text and other types are refused, naming the field.
 */
export function integerValue(
	ctx: IExecuteFunctions,
	value: unknown,
	itemIndex: number,
	field: string,
	range: IntegerRange,
	fallback: number,
): number {
	if (value === undefined) return fallback;
	if (value === null || value === '') return fail(ctx, itemIndex, `${field} is empty`, `Enter a whole number from ${range.min} to ${range.max}, or remove the option to use ${fallback}.`);
	let number: number | undefined;
	if (typeof value === 'number') number = value;
	else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value.trim()))) number = Number(value.trim());
	const expected = `a whole number from ${range.min.toLocaleString('en-US')} to ${range.max.toLocaleString('en-US')}`;
	if (number === undefined) {
		return fail(ctx, itemIndex, `${field} must be ${expected}, but the expression returned ${describeType(value)}${typeof value === 'string' ? ` "${value.slice(0, 40)}"` : ''}`);
	}
	if (!Number.isFinite(number) || !Number.isInteger(number) || number < range.min || number > range.max) {
		return fail(ctx, itemIndex, `${field} must be ${expected}; got ${String(number)}`);
	}
	return number;
}

export function readInteger(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	field: string,
	range: IntegerRange,
	fallback: number,
): number {
	return integerValue(ctx, ctx.getNodeParameter(name, itemIndex, fallback), itemIndex, field, range, fallback);
}

/** true/false, also as the text "true"/"false" (never the truthiness of "false"). */
export function booleanValue(ctx: IExecuteFunctions, value: unknown, itemIndex: number, field: string, fallback: boolean): boolean {
	if (value === undefined) return fallback;
	if (typeof value === 'boolean') return value;
	if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
	return fail(ctx, itemIndex, `${field} must be true or false, but the expression returned ${describeType(value)}`);
}

export function readBoolean(ctx: IExecuteFunctions, name: string, itemIndex: number, field: string, fallback: boolean): boolean {
	return booleanValue(ctx, ctx.getNodeParameter(name, itemIndex, fallback), itemIndex, field, fallback);
}

/** One of a field's options (by value), as the editor offers them. */
export function choiceValue<T extends string>(
	ctx: IExecuteFunctions,
	value: unknown,
	itemIndex: number,
	field: string,
	allowed: readonly T[],
	fallback: T,
): T {
	if (value === undefined) return fallback;
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
	const got = typeof value === 'string' ? `"${value.slice(0, 40)}"` : describeType(value);
	return fail(ctx, itemIndex, `${field} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}; got ${got}`);
}

export function readChoice<T extends string>(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	field: string,
	allowed: readonly T[],
	fallback: T,
): T {
	return choiceValue(ctx, ctx.getNodeParameter(name, itemIndex, fallback), itemIndex, field, allowed, fallback);
}

/** An "Options" collection: always an object, whatever an expression made of it. */
export function readOptions<T extends object = IDataObject>(ctx: IExecuteFunctions, itemIndex: number, name = 'options'): T {
	const value = ctx.getNodeParameter(name, itemIndex, {});
	if (value === null || value === undefined) return {} as T;
	if (typeof value !== 'object' || Array.isArray(value)) {
		return fail(ctx, itemIndex, `Options must be an object, but got ${describeType(value)}`);
	}
	return value as T;
}

/** Names that would reach Object.prototype if used as a binary field name. */
const RESERVED_PROPERTY_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** The name of a binary field (input or output): non-empty text, without surrounding spaces. */
export function readBinaryFieldName(ctx: IExecuteFunctions, name: string, itemIndex: number, field: string): string {
	const value = readText(ctx, name, itemIndex, field, 'data').trim();
	if (value === '') fail(ctx, itemIndex, `${field} is empty`, 'Enter the name of the binary field, e.g. data.');
	if (RESERVED_PROPERTY_NAMES.has(value)) fail(ctx, itemIndex, `${field} "${value}" is a reserved name`, 'Use another name, e.g. data.');
	return value;
}
