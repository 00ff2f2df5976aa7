export * from './service.ts';
export * from './queries.ts';
export type { DocumentRow, ItemRow, AllocationRow } from './repository.ts';
