/**
 * The node's single per-item loop: picks the operation, runs it for every input item, pairs
 * each output item with its input, and turns failures into n8n errors (or, with "Continue On
 * Fail", into an output item carrying the error while the next items still run).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { NodeOperation, OperationResult } from '../helpers/types';
import type { AuthenticationMethod, BlobStorageConnection } from '../transport/client';
import { connect } from '../transport/client';
import { errorItemJson, toNodeError } from '../transport/errors';
import { blobOperations } from './blob/Blob.resource';
import { containerOperations } from './container/Container.resource';

const operations: Record<string, Record<string, NodeOperation>> = {
	blob: blobOperations,
	container: containerOperations,
};

function isExecutionData(value: IDataObject | INodeExecutionData): value is INodeExecutionData {
	return typeof value.json === 'object' && value.json !== null && !Array.isArray(value.json);
}

function toItems(result: OperationResult, itemIndex: number): INodeExecutionData[] {
	const list = Array.isArray(result) ? result : [result];
	return list.map((entry) => {
		const item = isExecutionData(entry) ? entry : { json: entry };
		return { ...item, pairedItem: { item: itemIndex } };
	});
}

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = operations[resource]?.[operationName];
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not known for "${resource}"`);
	}

	let connection: BlobStorageConnection | undefined;
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			connection ??= await connect(this, this.getNodeParameter('authentication', 0) as AuthenticationMethod);
			const result = await operation.execute.call(this, itemIndex, connection);
			output.push(...toItems(result, itemIndex));
		} catch (thrown) {
			const error = toNodeError(this.getNode(), thrown, { itemIndex, secrets: connection?.secrets });
			if (this.getExecutionCancelSignal?.()?.aborted) throw error;
			if (this.continueOnFail()) {
				output.push({ json: errorItemJson(error), pairedItem: { item: itemIndex } });
				continue;
			}
			throw error;
		}
	}
	return [output];
}
