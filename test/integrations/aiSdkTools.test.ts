import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateText, jsonSchema, stepCountIs, tool, type ToolSet } from 'ai';
import { instrumentTools } from '../../src/integrations/ai/instrumentTools.js';
import { EXECUTIONS, FAILURES } from '../../src/instruments/names.js';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { collectByName, pointValue, testProvider, testSkills } from '../helpers/collect.js';
import { memoryTracing } from '../helpers/tracing.js';
import { scriptedModel } from './aiSdkModel.js';

const EXEC = EXECUTIONS.name;
const FAIL = FAILURES.name;
const cityInput = jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });

/** What the SDK passes a tool's execute beside its input. */
const callOptions = (toolCallId: string) => ({ toolCallId, messages: [] });

/** Calls a tool's execute as the SDK does (on the tool, with the call's options) and awaits its result. */
async function execute(target: object, input: unknown, toolCallId?: string): Promise<unknown> {
  const run = (target as { execute: (input: unknown, options: unknown) => unknown }).execute;
  return run.call(target, input, toolCallId === undefined ? undefined : callOptions(toolCallId));
}

/** True when A and B are the same type (neither wider nor narrower). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

function weatherTool() {
  return tool({
    description: 'Current weather of a city',
    inputSchema: cityInput,
    execute: async ({ city }) => ({ city, celsius: 21 }),
  });
}

describe('instrumentTools: what it gives back', () => {
  it('returns the type it was given: a ToolSet whose result types generateText still infers', async () => {
    const given = { weather: weatherTool() };
    const tools = instrumentTools(given);
    const exact: Equals<typeof tools, typeof given> = true;
    const toolSet: ToolSet = tools;
    const { skills } = testSkills();
    const result = await generateText({
      model: scriptedModel([{ calls: [{ id: 'call-1', tool: 'weather', input: { city: 'Rome' } }] }, { text: 'warm' }]),
      tools: instrumentTools(given, { metrics: skills }),
      prompt: 'weather in Rome?',
      stopWhen: stepCountIs(2),
    });
    const celsius = result.steps
      .flatMap((step) => step.toolResults)
      .map((toolResult) => {
        if (toolResult.dynamic === true) return undefined;
        const degrees: number = toolResult.output.celsius;
        // @ts-expect-error the output type is the tool's own, not any
        toolResult.output.fahrenheit;
        return degrees;
      });
    assert.deepEqual(celsius, [21]);
    assert.ok(exact && Object.keys(toolSet).length === 1);
  });

  it('leaves the given tools object and tools unchanged and returns copies whose execute alone differs', () => {
    const hidden = Symbol('brand');
    const weather = weatherTool();
    const ownExecute = weather.execute;
    Object.defineProperty(weather, 'experimental_toolCaller', { value: { caller: 'code' }, enumerable: false });
    (weather as Record<symbol, unknown>)[hidden] = 'kept';
    const given = { weather };
    const tools = instrumentTools(given);

    assert.notEqual(tools, given);
    assert.equal(given.weather, weather);
    assert.equal(weather.execute, ownExecute, "the user's tool keeps its own execute");
    assert.notEqual(tools.weather, weather);
    assert.notEqual(tools.weather.execute, ownExecute);
    assert.equal(Object.getPrototypeOf(tools.weather), Object.getPrototypeOf(weather));
    assert.deepEqual(Reflect.ownKeys(tools.weather), Reflect.ownKeys(weather));
    for (const key of Reflect.ownKeys(weather)) {
      if (key === 'execute') continue;
      assert.deepEqual(Object.getOwnPropertyDescriptor(tools.weather, key), Object.getOwnPropertyDescriptor(weather, key), String(key));
    }
    assert.equal(tools.weather.execute?.name, ownExecute?.name);
    assert.equal(tools.weather.execute?.length, ownExecute?.length);
  });

  it('keeps a tool without execute (run by the client or the provider) as the very same object', () => {
    const confirm = tool({ description: 'Asks the user to confirm', inputSchema: cityInput });
    const tools = instrumentTools({ confirm, weather: weatherTool() });
    assert.equal(tools.confirm, confirm);
  });

  it('keeps a frozen tool frozen, and runs execute on the tool its author wrote, not on the copy', async () => {
    const { skills } = testSkills();
    const counter = Object.freeze({
      description: 'Says whether it runs on its own object',
      inputSchema: cityInput,
      execute(this: unknown) {
        return this === counter;
      },
    });
    const tools = instrumentTools({ counter }, { metrics: skills });
    assert.ok(Object.isFrozen(tools.counter));
    assert.equal(await execute(tools.counter, { city: 'Rome' }, 'c1'), true);
  });

  it('hands the SDK what execute returned or threw, the same objects', async () => {
    const { skills } = testSkills();
    const answer = { city: 'Rome', celsius: 21 };
    const failure = Object.assign(new Error('quota exhausted'), { status: 429 });
    const tools = instrumentTools(
      {
        answers: tool({ inputSchema: cityInput, execute: async () => answer }),
        fails: tool({
          inputSchema: cityInput,
          execute: async (): Promise<typeof answer> => {
            throw failure;
          },
        }),
      },
      { metrics: skills },
    );
    assert.equal(await execute(tools.answers, { city: 'Rome' }, 'c1'), answer);
    await assert.rejects(execute(tools.fails, { city: 'Rome' }, 'c2'), (error) => error === failure);
  });
});

describe('instrumentTools: what it records', () => {
  it('records into the SkillMetrics of options.metrics, with the agent, the classifier and failureOf given', async () => {
    const { skills, reader } = testSkills();
    const tools = instrumentTools(
      {
        strict: tool({
          inputSchema: cityInput,
          execute: async ({ city }) => {
            if (city === '') throw new Error('empty city');
            return { ok: city !== 'Atlantis' };
          },
        }),
      },
      {
        metrics: skills,
        agentName: 'planner',
        classifyError: (error) => ((error as Error).message === 'empty city' ? 'validation' : undefined),
        failureOf: (result) => ((result as { ok: boolean }).ok ? false : 'upstream'),
      },
    );
    await execute(tools.strict, { city: 'Rome' }, 'c1');
    await execute(tools.strict, { city: 'Atlantis' }, 'c2');
    await execute(tools.strict, { city: '' }, 'c3').catch(() => undefined);
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'strict', agent_name: 'planner' }), 3);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'strict', agent_name: 'planner', error_type: 'upstream' }), 1);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'strict', agent_name: 'planner', error_type: 'validation' }), 1);
  });

  it('records tools instrumented before startAnalytics() into it once it runs', async () => {
    const tools = instrumentTools({ weather: weatherTool() });
    const analytics = startAnalytics({ env: {}, flushOnExit: false, logLevel: 'none', backends: [] });
    try {
      await execute(tools.weather, { city: 'Rome' }, 'c1');
      assert.equal(analytics.skills.health('weather').calls, 1);
    } finally {
      await analytics.shutdown();
    }
  });

  it('counts a call once when a set is instrumented twice, with the later options', async () => {
    const first = testSkills();
    const second = testSkills();
    const once = instrumentTools({ weather: weatherTool() }, { metrics: first.skills });
    const twice = instrumentTools(once, { metrics: second.skills, agentName: 'critic' });
    await execute(twice.weather, { city: 'Rome' }, 'c1');
    // The first instrumentation registered the skill there (at 0), and the call is not counted there.
    assert.equal(pointValue(await collectByName(first.reader), EXEC, { skill_id: 'weather' }), 0);
    assert.equal(pointValue(await collectByName(second.reader), EXEC, { skill_id: 'weather', agent_name: 'critic' }), 1);
  });

  it('records into the SkillMetrics of another copy of the package in the process', async () => {
    // dist/test/integrations/ -> dist/: the copy stays under the project, so it finds the same node_modules.
    const dist = fileURLToPath(new URL('../..', import.meta.url));
    const copy = mkdtempSync(join(dist, 'second-copy-'));
    try {
      cpSync(join(dist, 'src'), join(copy, 'src'), { recursive: true });
      const B = (await import(pathToFileURL(join(copy, 'src', 'index.js')).href)) as typeof import('../../src/index.js');
      const { provider, reader } = testProvider();
      const tools = instrumentTools({ weather: weatherTool() }, { metrics: B.SkillMetrics.fromMeterProvider(provider) });
      await execute(tools.weather, { city: 'Rome' }, 'c1');
      assert.equal(pointValue(await collectByName(reader), EXEC, { skill_id: 'weather' }), 1);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('puts the call id and a string description on the span; a description that is a function (ai 7) is left out', async () => {
    const tracing = memoryTracing();
    const { skills } = testSkills({ tracerProvider: tracing.provider });
    const tools = instrumentTools(
      {
        fixed: tool({ description: 'Fixed words', inputSchema: cityInput, execute: async () => 1 }),
        computed: { description: () => 'Words made per call', inputSchema: cityInput, execute: async () => 2 },
      },
      { metrics: skills, toolType: 'extension', attributes: { 'app.source': 'mcp' } },
    );
    await execute(tools.fixed, { city: 'Rome' }, 'call-a');
    await execute(tools.computed, { city: 'Rome' }, 'call-b');
    await execute(tools.computed, { city: 'Rome' });
    const spans = tracing.spans().map((span) => span.attributes);
    assert.deepEqual(spans, [
      {
        'app.source': 'mcp',
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'fixed',
        'gen_ai.tool.type': 'extension',
        'gen_ai.tool.description': 'Fixed words',
        'gen_ai.tool.call.id': 'call-a',
      },
      {
        'app.source': 'mcp',
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'computed',
        'gen_ai.tool.type': 'extension',
        'gen_ai.tool.call.id': 'call-b',
      },
      { 'app.source': 'mcp', 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'computed', 'gen_ai.tool.type': 'extension' },
    ]);
    await tracing.provider.shutdown();
  });
});

describe('instrumentTools: input it cannot use', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['no tools object', () => instrumentTools(null as never), /tools must be an object of tools keyed by name.*got null/],
    ['an array of tools', () => instrumentTools([weatherTool()] as never), /tools must be an object of tools keyed by name.*got an array/],
    ['a tool that is no object', () => instrumentTools({ weather: 'sunny' }), /tools\.weather must be a tool such as tool\(\{.*got string/],
    [
      'a misspelled option',
      () => instrumentTools({}, { agent: 'planner' } as never),
      /unknown option "agent"; the options are metrics, agentName/,
    ],
    ['metrics that are no SkillMetrics', () => instrumentTools({}, { metrics: {} as never }), /metrics must be a SkillMetrics/],
    ['an agent name with a line break', () => instrumentTools({}, { agentName: 'a\nb' }), /agentName must be a non-empty string/],
    [
      'a tool type outside the spec',
      () => instrumentTools({}, { toolType: 'mcp' as never }),
      /toolType must be one of function, extension, datastore/,
    ],
    [
      'a tool name too long for a skill id',
      () => instrumentTools({ ['x'.repeat(129)]: weatherTool() }),
      /Invalid skill id .* more than 128/,
    ],
  ];
  for (const [what, call, message] of cases) {
    it(`throws a TypeError naming the fix for ${what}`, () => {
      assert.throws(call, (error: unknown) => error instanceof TypeError && message.test(error.message));
    });
  }
});
