/**
 * The file the demos write when no path is given, in the working directory: `demo` fills it with a
 * week of traffic, `npm run demo:live` adds its live burst to it. Never the configured database.
 */
export const DEMO_FILE = 'toolweaver-demo.db';
