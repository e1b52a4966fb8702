import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { lateBoundWrap } from '../../src/instruments/lateBoundWrap.js';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { ToolInfo } from '../../src/instruments/toolInfo.js';
import { collectByName, pointValue, testProvider } from '../helpers/collect.js';
import { memoryTracing, useContextManager } from '../helpers/tracing.js';

describe("an integration's SpanShape", () => {
  useContextManager();

  it("names the span, its kind and a failure's error.type, while the metrics keep our error type", async () => {
    const { provider: tracerProvider, spans } = memoryTracing();
    const { provider, reader } = testProvider();
    const skills = SkillMetrics.fromMeterProvider(provider, { tracerProvider });
    const tool = new ToolInfo('lookup', {}, 'test', {
      name: 'tools/call lookup',
      kind: SpanKind.SERVER,
      attributes: { 'mcp.method.name': 'tools/call' },
      errorTypeOf: (failure, byResult) => (byResult ? 'tool_error' : failure instanceof RangeError ? 'boom' : undefined),
    });
    const lookup = lateBoundWrap(
      tool,
      async (mode: unknown) => {
        if (mode === 'range') throw new RangeError('out of range');
        if (mode === 'plain') throw new Error('plain');
        return mode === 'result' ? { content: [], isError: true } : { content: [] };
      },
      skills,
    );
    await lookup('ok');
    await lookup('result');
    await assert.rejects(lookup('range'));
    await assert.rejects(lookup('plain'));

    assert.deepEqual(
      spans().map((span) => [span.name, span.kind, span.attributes['mcp.method.name'], span.attributes['error.type']]),
      [
        ['tools/call lookup', SpanKind.SERVER, 'tools/call', undefined],
        ['tools/call lookup', SpanKind.SERVER, 'tools/call', 'tool_error'],
        ['tools/call lookup', SpanKind.SERVER, 'tools/call', 'boom'],
        ['tools/call lookup', SpanKind.SERVER, 'tools/call', 'internal'],
      ],
    );
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, 'toolweaver_skill_failures_total', { skill_id: 'lookup', error_type: 'internal' }), 3);
  });

  it('keeps our error type when its errorTypeOf throws', async () => {
    const { provider: tracerProvider, spans } = memoryTracing();
    const skills = SkillMetrics.fromMeterProvider(testProvider().provider, { tracerProvider });
    const tool = new ToolInfo('flaky', {}, 'test', {
      errorTypeOf: () => {
        throw new Error('hook bug');
      },
    });
    await assert.rejects(
      lateBoundWrap(
        tool,
        async () => {
          throw Object.assign(new Error('slow'), { name: 'TimeoutError' });
        },
        skills,
      )(),
    );
    assert.equal(spans()[0]?.name, 'execute_tool flaky');
    assert.equal(spans()[0]?.kind, SpanKind.INTERNAL);
    assert.equal(spans()[0]?.attributes['error.type'], 'timeout');
  });
});
