export { benchParentWorkflow, benchShardWorkflow, benchUnitWorkflow } from './bench-workflows';
