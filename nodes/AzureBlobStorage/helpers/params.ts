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
	if (value === undefined) return '';
	if (options.allowNumber && typeof value === 'number' && Number.isFinite(value)) return String(value);
	const hint =
		value === null
			? 'The expression found no value: check the field it reads (e.g. {{ $json.name }}) exists on every item.'
			: typeof value === 'object'
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
	const value = ctx.getNodeParameter(name, itemIndex, fallback);
	// An expression that found nothing ({{ $json.missing }}) is a mistake, not an empty field.
	const raw = ctx.getNode().parameters[name];
	if (value === undefined && typeof raw === 'string' && raw.startsWith('=')) {
		return fail(ctx, itemIndex, `${field} is empty: its expression returned nothing (undefined)`, 'Check that the field the expression reads (e.g. {{ $json.name }}) exists on every item.');
	}
	return textValue(ctx, value, itemIndex, field, options);
}

/** Decimal number text ("8", "-1", "2.5", "1e3"), not "0x10", "Infinity" or "". */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

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
	else if (typeof value === 'string' && DECIMAL.test(value.trim())) number = Number(value.trim());
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

/**
 * A point in time: ISO 8601 text (as n8n's date field gives it), a JS Date or a Luxon DateTime
 * (what `$now.plus(1, 'hour')` returns). Anything else, or text that is no date, is refused.
 */
export function dateValue(ctx: IExecuteFunctions, value: unknown, itemIndex: number, field: string): Date | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let date: Date | undefined;
	if (value instanceof Date) date = value;
	else if (typeof value === 'string') date = new Date(value.trim());
	else if (typeof value === 'object' && typeof (value as { toJSDate?: unknown }).toJSDate === 'function') {
		date = (value as { toJSDate(): Date }).toJSDate();
	}
	if (date === undefined) {
		return fail(ctx, itemIndex, `${field} must be a date and time, but the expression returned ${describeType(value)}`, 'Use ISO 8601, e.g. 2026-12-31T23:00:00Z, or {{ $now.plus(1, "hour").toISO() }}.');
	}
	if (Number.isNaN(date.getTime())) {
		return fail(ctx, itemIndex, `${field} is not a date and time: "${String(value).slice(0, 40)}"`, 'Use ISO 8601, e.g. 2026-12-31T23:00:00Z.');
	}
	return date;
}
