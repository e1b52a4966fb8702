import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake saw it. */
export interface GrafanaRequest {
  readonly method: string;
  /** Without the sub-path, decoded: `/api/datasources/name/ToolWeaver SQLite`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined without one. */
  readonly body: unknown;
}

/** An answer a test forces for a request. */
export interface ForcedAnswer {
  readonly status: number;
  readonly body?: unknown;
}

/** Options of {@link startFakeGrafana}. */
export interface FakeGrafanaOptions {
  /** The Bearer token every API call but /api/health needs; others get 401. @default undefined (no auth) */
  apiKey?: string;
  /** Installed plugins, as /api/plugins/:id/settings reports them. @default ['frser-sqlite-datasource'] */
  plugins?: string[];
  /** The sub-path Grafana is served under, e.g. '/grafana'. @default '' */
  subPath?: string;
  /** The loopback port to listen on. @default 0 (a free one) */
  port?: number;
  /** Answers a request instead of the fake, when it returns one: 403s, 500s, odd pages. @default none */
  force?: (request: GrafanaRequest) => ForcedAnswer | undefined;
}

type Json = Record<string, unknown>;

/** A fake Grafana on loopback: see {@link startFakeGrafana}. */
export interface FakeGrafana {
  /** Base URL, sub-path included, as GRAFANA_URL takes it. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: GrafanaRequest[];
  /** Data sources by uid, as Grafana stores them. */
  readonly datasources: Map<string, Json>;
  readonly folders: Map<string, Json>;
  /** Dashboards by uid: the JSON as stored, its folder and version. */
  readonly dashboards: Map<string, { dashboard: Json; folderUid: string | undefined; version: number }>;
  /** The requests that were not GETs. */
  writes(): GrafanaRequest[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server implementing the part of Grafana's HTTP API provisioning calls, keeping
 * state in memory as Grafana does (ids, versions, 404s, 409s on duplicates, 412 on stale folder
 * versions), and recording every request.
 */
export async function startFakeGrafana(options: FakeGrafanaOptions = {}): Promise<FakeGrafana> {
  const subPath = options.subPath ?? '';
  const plugins = new Set(options.plugins ?? ['frser-sqlite-datasource']);
  const requests: GrafanaRequest[] = [];
  const datasources = new Map<string, Json>();
  const folders = new Map<string, Json>();
  const dashboards = new Map<string, { dashboard: Json; folderUid: string | undefined; version: number }>();
  let nextId = 1;

  const route = (request: GrafanaRequest): ForcedAnswer => {
    const { method, path } = request;
    const body = (request.body ?? {}) as Json;
    if (method === 'GET' && path === '/api/health') return { status: 200, body: { commit: 'fake', database: 'ok', version: '11.3.0' } };
    if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return { status: 401, body: { message: 'Invalid API key' } };
    }
    let match: RegExpExecArray | null;
    match = method === 'GET' ? /^\/api\/plugins\/([^/]+)\/settings$/.exec(path) : null;
    if (match !== null) {
      return plugins.has(match[1]!)
        ? { status: 200, body: { id: match[1], enabled: true } }
        : { status: 404, body: { message: 'Plugin not found' } };
    }
    match = method === 'GET' ? /^\/api\/datasources\/name\/(.+)$/.exec(path) : null;
    if (match !== null) {
      const found = [...datasources.values()].find((datasource) => datasource['name'] === match![1]);
      return found === undefined ? { status: 404, body: { message: 'Data source not found' } } : { status: 200, body: found };
    }
    match = method === 'GET' ? /^\/api\/datasources\/uid\/(.+)$/.exec(path) : null;
    if (match !== null) {
      const found = datasources.get(match[1]!);
      return found === undefined ? { status: 404, body: { message: 'Data source not found' } } : { status: 200, body: found };
    }
    if (method === 'POST' && path === '/api/datasources') {
      if ([...datasources.values()].some((datasource) => datasource['name'] === body['name']))
        return { status: 409, body: { message: 'data source with the same name already exists' } };
      const uid = typeof body['uid'] === 'string' ? body['uid'] : `generated${nextId}`;
      if (datasources.has(uid)) return { status: 409, body: { message: 'data source with the same uid already exists' } };
      const stored: Json = { id: nextId++, orgId: 1, basicAuth: false, readOnly: false, ...body, uid, version: 1 };
      datasources.set(uid, stored);
      return { status: 200, body: { datasource: stored, id: stored['id'], message: 'Datasource added', name: stored['name'] } };
    }
    match = method === 'PUT' ? /^\/api\/datasources\/uid\/(.+)$/.exec(path) : null;
    if (match !== null) {
      const found = datasources.get(match[1]!);
      if (found === undefined) return { status: 404, body: { message: 'Data source not found' } };
      const stored: Json = { ...body, id: found['id'], uid: found['uid'], version: (found['version'] as number) + 1 };
      datasources.set(match[1]!, stored);
      return { status: 200, body: { datasource: stored, id: stored['id'], message: 'Datasource updated', name: stored['name'] } };
    }
    match = method === 'GET' ? /^\/api\/folders\/([^/]+)$/.exec(path) : null;
    if (match !== null) {
      const found = folders.get(match[1]!);
      return found === undefined ? { status: 404, body: { message: 'folder not found' } } : { status: 200, body: found };
    }
    if (method === 'POST' && path === '/api/folders') {
      if (folders.has(body['uid'] as string)) return { status: 409, body: { message: 'a folder with the same uid already exists' } };
      const stored = { id: nextId++, uid: body['uid'], title: body['title'], version: 1, url: `/dashboards/f/${String(body['uid'])}/` };
      folders.set(stored.uid as string, stored);
      return { status: 200, body: stored };
    }
    match = method === 'PUT' ? /^\/api\/folders\/([^/]+)$/.exec(path) : null;
    if (match !== null) {
      const found = folders.get(match[1]!);
      if (found === undefined) return { status: 404, body: { message: 'folder not found' } };
      if (body['overwrite'] !== true && body['version'] !== found['version'])
        return { status: 412, body: { message: 'the folder has been changed by someone else' } };
      const stored = { ...found, title: body['title'], version: (found['version'] as number) + 1 };
      folders.set(match[1]!, stored);
      return { status: 200, body: stored };
    }
    match = method === 'GET' ? /^\/api\/dashboards\/uid\/(.+)$/.exec(path) : null;
    if (match !== null) {
      const found = dashboards.get(match[1]!);
      if (found === undefined) return { status: 404, body: { message: 'Dashboard not found' } };
      return {
        status: 200,
        body: { dashboard: { ...found.dashboard, version: found.version }, meta: { folderUid: found.folderUid, version: found.version } },
      };
    }
    if (method === 'POST' && path === '/api/dashboards/db') {
      const dashboard = body['dashboard'] as Json;
      const folderUid = body['folderUid'] as string | undefined;
      if (folderUid !== undefined && !folders.has(folderUid)) return { status: 400, body: { message: 'folder not found' } };
      const uid = dashboard['uid'] as string;
      const previous = dashboards.get(uid);
      if (previous !== undefined && body['overwrite'] !== true)
        return { status: 412, body: { message: 'A dashboard with the same uid already exists' } };
      const id = (previous?.dashboard['id'] as number | undefined) ?? nextId++;
      const { version: _version, ...rest } = dashboard;
      const version = (previous?.version ?? 0) + 1;
      dashboards.set(uid, { dashboard: { ...rest, id }, folderUid, version });
      return { status: 200, body: { id, uid, status: 'success', version, url: `/d/${uid}` } };
    }
    return { status: 404, body: { message: 'Not found' } };
  };

  const server = createServer((req, res) => void handle(req, res));
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const inside = rawPath.startsWith(`${subPath}/`) ? rawPath.slice(subPath.length) : undefined;
    const request: GrafanaRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(inside ?? rawPath),
      headers: req.headers,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
    };
    requests.push(request);
    const answer = inside === undefined ? { status: 404, body: { message: 'Not found' } } : (options.force?.(request) ?? route(request));
    const payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
    const type = typeof answer.body === 'string' ? 'text/html' : 'application/json';
    res.writeHead(answer.status, { 'Content-Type': type }).end(payload);
  };

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${subPath}`,
    requests,
    datasources,
    folders,
    dashboards,
    writes: () => requests.filter((request) => request.method !== 'GET'),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
