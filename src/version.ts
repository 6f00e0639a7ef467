// The tool's version as written into results files; a test keeps it equal to package.json's.
export const TOOL_VERSION = '0.1.0';
