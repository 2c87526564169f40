"""The official Python MCP SDK's OAuth client provider against the endpoint; prints what it saw as JSON.

Runs in a client environment of its own (.host/clients/py-mcp-1), never the app's. The SDK finds
the metadata from the endpoint's 401, registers (DCR) or uses a Client ID Metadata Document URL,
and sends the user to the authorize URL; the redirect handler plays the user's browser: it logs in
to Frappe, opens the authorize URL, presses Allow on Frappe's consent page and hands the code from
the loopback redirect back to the SDK. Arguments: URL EMAIL PASSWORD dcr|cimd [CIMD_URL]. Test-only.
"""

import asyncio
import json
import re
import sys
from html import unescape
from importlib.metadata import version
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider, TokenStorage
from mcp.client.streamable_http import streamablehttp_client
from mcp.shared.auth import OAuthClientMetadata

URL, EMAIL, PASSWORD, MODE = sys.argv[1:5]
CIMD_URL = sys.argv[5] if len(sys.argv) > 5 else None
REDIRECT_URI = "http://127.0.0.1:47391/callback"
SITE = "{0.scheme}://{0.netloc}".format(urlsplit(URL))
seen = {}


class Memory(TokenStorage):
	def __init__(self):
		self.tokens = self.client = None

	async def get_tokens(self):
		return self.tokens

	async def set_tokens(self, tokens):
		self.tokens = tokens

	async def get_client_info(self):
		return self.client

	async def set_client_info(self, client_info):
		self.client = client_info


async def play_user(authorization_url: str) -> None:
	"""Log in, open the authorize URL, allow on the consent page; keep the code of the redirect."""
	seen["authorization_url"] = authorization_url
	async with httpx.AsyncClient(follow_redirects=False, timeout=60) as browser:
		login = await browser.post(f"{SITE}/api/method/login", data={"usr": EMAIL, "pwd": PASSWORD})
		login.raise_for_status()
		response = await browser.get(authorization_url)
		for _ in range(10):
			if response.status_code in (301, 302, 303, 307, 308):
				target = urljoin(SITE + "/", response.headers["location"])
				if not target.startswith(SITE + "/"):
					break
				response = await browser.get(target)
				continue
			allow = re.findall(r'window\.location\.replace\("([^"]*)"\)', response.text)
			if not allow:
				raise RuntimeError(f"no consent page: HTTP {response.status_code} {response.text[:300]}")
			response = await browser.get(urljoin(SITE + "/", unescape(allow[0])))
		seen["callback"] = response.headers["location"]


async def callback() -> tuple[str, str | None]:
	query = parse_qs(urlsplit(seen["callback"]).query)
	return query["code"][0], query.get("state", [None])[0]


async def main():
	metadata = OAuthClientMetadata(
		client_name="Python SDK test client",
		redirect_uris=[REDIRECT_URI],
		grant_types=["authorization_code", "refresh_token"],
		response_types=["code"],
		token_endpoint_auth_method="none",
	)
	storage = Memory()
	provider = OAuthClientProvider(
		server_url=URL,
		client_metadata=metadata,
		storage=storage,
		redirect_handler=play_user,
		callback_handler=callback,
		client_metadata_url=CIMD_URL if MODE == "cimd" else None,
	)
	async with streamablehttp_client(URL, auth=provider) as (read, write, _):
		async with ClientSession(read, write) as session:
			await session.initialize()
			tools = (await session.list_tools()).tools
			listed = await session.call_tool("document_list", {"doctype": "ToDo", "limit": 1})
	print(
		json.dumps(
			{
				"sdk": version("mcp"),
				"client_id": storage.client.client_id,
				"scope": storage.tokens.scope,
				"tools": sorted(tool.name for tool in tools),
				"callIsError": listed.isError,
				"authorizationUrl": seen.get("authorization_url"),
			}
		)
	)


asyncio.run(main())
