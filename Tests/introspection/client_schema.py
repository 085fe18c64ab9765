#!/usr/bin/env python3
"""What a client rebuilding the gateway's schema from introspection sees, against the SDL.

Sends graphql-core's own introspection query (descriptions, deprecated arguments and input
fields, repeatable directives) to a GraphQL endpoint, rebuilds the schema with
`build_client_schema` as code generators do, and prints it next to the SDL (built and printed
by graphql-core the same way, so only the content counts, not the layout).

Usage: client_schema.py URL SCHEMA.graphql
Prints "same" and exits 0, or prints a unified diff (SDL, then introspection) and exits 1.
"""
import difflib
import json
import sys
import urllib.request

from graphql import build_client_schema, build_schema, get_introspection_query, print_schema


def main() -> int:
    url, sdl_path = sys.argv[1:3]
    query = get_introspection_query(descriptions=True, directive_is_repeatable=True, input_value_deprecation=True)
    request = urllib.request.Request(
        url, data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.load(response)
    if answer.get("errors"):
        print(json.dumps(answer["errors"]))
        return 2
    client = print_schema(build_client_schema(answer["data"]))
    with open(sdl_path, encoding="utf-8") as file:
        server = print_schema(build_schema(file.read()))
    if client == server:
        print("same")
        return 0
    sys.stdout.writelines(
        difflib.unified_diff(server.splitlines(True), client.splitlines(True), "SDL", "introspection"))
    return 1


if __name__ == "__main__":
    sys.exit(main())
