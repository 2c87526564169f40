"""The official Python MCP SDK (2.x) against the governance controls; prints what it saw as JSON.

Runs in its own client environment (.host/clients/py-mcp-2), never the app's. Test-only.
Arguments: URL TOKEN SCENARIO [JSON], where JSON holds the scenario's inputs:

- call:    {tool, arguments, mode}  list the tools, then call one (mode: auto or legacy)
- elicit:  {tool, arguments, action, approve}  call with an elicitation callback answering `action`
- replay:  {tool, arguments}  drive the input_required round trip by hand: accept once, then send
           the same requestState again, then an altered one
"""

import asyncio
import json
import sys
from importlib.metadata import version

import httpx2
from mcp import Client, MCPError, types
from mcp.client.streamable_http import streamable_http_client

URL, TOKEN, SCENARIO = sys.argv[1], sys.argv[2], sys.argv[3]
INPUT = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
HEADERS = {"Authorization": f"token {TOKEN}"}


def _client(**kwargs) -> Client:
	http = httpx2.AsyncClient(headers=HEADERS, timeout=60)
	return Client(streamable_http_client(URL, http_client=http), **kwargs)


def _result(result) -> dict:
	meta = result.meta or {}
	return {
		"isError": result.is_error,
		"text": result.content[0].text if result.content else "",
		"structured": result.structured_content,
		"approval": meta.get("frappe-assistant-core/approval"),
	}


async def _call(client: Client) -> dict:
	try:
		return {"result": _result(await client.call_tool(INPUT["tool"], INPUT.get("arguments", {})))}
	except MCPError as exc:
		return {"error": {"code": exc.error.code, "message": exc.error.message, "data": exc.error.data}}


async def call() -> dict:
	async with _client(mode=INPUT.get("mode", "auto")) as client:
		tools = sorted(tool.name for tool in (await client.list_tools()).tools)
		return {"protocolVersion": client.protocol_version, "tools": tools, **await _call(client)}


async def elicit() -> dict:
	asked = []

	async def answer(context, params) -> types.ElicitResult:
		asked.append({"message": params.message, "schema": params.requested_schema})
		content = {"approve": INPUT.get("approve", True)} if INPUT["action"] == "accept" else None
		return types.ElicitResult(action=INPUT["action"], content=content)

	async with _client(elicitation_callback=answer) as client:
		seen = await _call(client)
		return {"protocolVersion": client.protocol_version, "asked": asked, **seen}


async def replay() -> dict:
	async def never(context, params):
		raise AssertionError("the round trip is driven by hand")

	approve = {"approval": types.ElicitResult(action="accept", content={"approve": True})}
	seen: dict = {}
	async with _client(elicitation_callback=never) as client:
		session, tool, arguments = client.session, INPUT["tool"], INPUT["arguments"]
		first = await session.call_tool(tool, arguments, allow_input_required=True)
		seen["first"] = type(first).__name__
		state = first.request_state
		accepted = await session.call_tool(
			tool, arguments, input_responses=approve, request_state=state, allow_input_required=True
		)
		seen["accepted"] = _result(accepted)
		for label, sent in (
			("replayed", state),
			("altered", state[:-4] + ("AAAA" if state[-4:] != "AAAA" else "BBBB")),
		):
			try:
				again = await session.call_tool(
					tool, arguments, input_responses=approve, request_state=sent, allow_input_required=True
				)
				seen[label] = {"unexpected": type(again).__name__}
			except MCPError as exc:
				seen[label] = {"code": exc.error.code, "message": exc.error.message}
	return seen


SCENARIOS = {"call": call, "elicit": elicit, "replay": replay}
print(json.dumps({"sdk": version("mcp"), **asyncio.run(SCENARIOS[SCENARIO]())}, default=str))
