export { createAssistant, userChannel, type Assistant, type AssistantDeps, type CommandInput, type CommandResult } from './assistant.js';
export { assistantPlugin, type AssistantPluginOptions } from './plugin.js';
export { findLoggedCommand, insertCommandLog, type CommandLogEntry, type LoggedCommand } from './command-log.js';
export { toResultFields } from './result-fields.js';
export { createCommandLogWriter, type CommandLogWriter, type CommandLogWriterOptions } from './log-writer.js';
export { isReadOnlyTurn } from './read-only.js';
