/**
 * Loaded with `node --import` before the CLI: records the URL of every module the CLI imports, one
 * a line, in the file named by TOOLWEAVER_IMPORT_LOG (see startup.test.ts).
 */
import { register } from 'node:module';

register('./importRecorderHooks.js', import.meta.url, { data: { log: process.env['TOOLWEAVER_IMPORT_LOG'] } });
