/** The workflows the worker registers. Every export here is a workflow type; helpers live in their files. */
export { directiveWorkflow } from './directive-workflow';
export { unitWorkflow } from './unit-workflow';
export { shardWorkflow } from './shard-workflow';
export { campaignWorkflow } from './campaign-workflow';
export { unitInboxWorkflow } from './unit-inbox-workflow';
