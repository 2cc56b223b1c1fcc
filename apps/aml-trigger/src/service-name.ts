export const SERVICE_NAME = 'aml-trigger';
export const SCHEMA = 'aml_trigger';
