// Mocha root hooks (loaded through .mocharc's `require`): the property tests draw their cases from
// a random seed on a developer's machine, so each run explores new ones, and from one fixed seed
// under CI, so a landing is judged on the same cases every time. FC_SEED picks the seed anywhere,
// to replay a failure: fast-check prints the seed and path of every counterexample.
import fc from 'fast-check';
import { forgetDefaultTools } from '../src/instruments/defaultSkillMetrics.js';

const CI_SEED = 20_261_128;

export const mochaHooks = {
  beforeAll(): void {
    forgetDefaultTools();
    const given = process.env['FC_SEED'];
    const seed = given !== undefined && given !== '' ? Number(given) : process.env['CI'] !== undefined ? CI_SEED : undefined;
    if (seed === undefined) return;
    fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
  },
  // The skills of @skill methods and integrations are remembered process-wide, for every startAnalytics() to come:
  // each test starts as a new process would, knowing none of another test's, nor those of classes that other
  // test files define when mocha loads them. A suite's before() hook runs ahead of the root beforeEach of its first
  // test, so the skills are also forgotten once every file is loaded and after each test.
  beforeEach(): void {
    forgetDefaultTools();
  },
  afterEach(): void {
    forgetDefaultTools();
  },
};
