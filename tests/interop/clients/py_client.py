"""One session of the official Python MCP SDK client against the endpoint; prints what it saw as JSON.

Runs in a client environment of its own (.host/clients/py-mcp-*), never the app's. Works with
mcp 1.x (ClientSession over streamablehttp_client) and 2.x (Client, auto or legacy mode).
Arguments: URL TOKEN [MODE]. Test-only.
"""

import asyncio
import json
import sys
from importlib.metadata import version

URL, TOKEN = sys.argv[1], sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "auto"
HEADERS = {"Authorization": f"token {TOKEN}"}


def summary(protocol, tools, echo, bad, unknown_code):
	return {
		"sdk": version("mcp"),
		"protocolVersion": protocol,
		"tools": sorted(tool.name for tool in tools),
		"titles": all(getattr(tool, "title", None) for tool in tools),
		"echo": {
			"isError": echo.isError if hasattr(echo, "isError") else echo.is_error,
			"text": echo.content[0].text,
			"structured": getattr(echo, "structuredContent", None)
			or getattr(echo, "structured_content", None),
		},
		"bad": {
			"isError": bad.isError if hasattr(bad, "isError") else bad.is_error,
			"text": bad.content[0].text,
		},
		"unknownCode": unknown_code,
	}


async def v1():
	from mcp import ClientSession, McpError
	from mcp.client.streamable_http import streamablehttp_client

	async with streamablehttp_client(URL, headers=HEADERS) as (read, write, _):
		async with ClientSession(read, write) as session:
			init = await session.initialize()
			tools = (await session.list_tools()).tools
			echo = await session.call_tool("test_echo", {"message": "from python"})
			bad = await session.call_tool("test_echo", {"wrong": 1})
			try:
				await session.call_tool("no_such_tool", {})
				code = None
			except McpError as exc:
				code = exc.error.code
			return summary(init.protocolVersion, tools, echo, bad, code)


async def v2():
	import httpx2
	from mcp import Client, MCPError
	from mcp.client.streamable_http import streamable_http_client

	http = httpx2.AsyncClient(headers=HEADERS, timeout=60)
	async with Client(streamable_http_client(URL, http_client=http), mode=MODE) as client:
		tools = (await client.list_tools()).tools
		echo = await client.call_tool("test_echo", {"message": "from python"})
		bad = await client.call_tool("test_echo", {"wrong": 1})
		try:
			await client.call_tool("no_such_tool", {})
			code = None
		except MCPError as exc:
			code = exc.error.code
		return summary(client.protocol_version, tools, echo, bad, code)


print(json.dumps(asyncio.run(v2() if version("mcp").startswith("2.") else v1()), default=str))
