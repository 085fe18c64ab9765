"""An Apollo Federation v2 subgraph built with strawberry-graphql, independent of the gateway's
own demo subgraphs: it extends the catalog's Book (key: id) and the inventory's Stock (composite
key: library_id book_id), and serves one root field. The gateway's federation tests run it on
loopback as a second, third-party implementation of `_service` and `_entities`.

Usage: python3 editions.py [--port N]   (0: any free port; prints "editions listening on HOST:PORT")
"""

import argparse
import json
import sys
from typing import Optional
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import strawberry
from strawberry.schema.config import StrawberryConfig


def isbn_of(book_id: str) -> str:
    return f"978-{int(book_id):09d}"


@strawberry.federation.type(keys=["id"])
class Book:
    id: strawberry.ID

    @strawberry.field(description="The book's ISBN, made up from its id.")
    def isbn(self) -> str:
        return isbn_of(self.id)

    @strawberry.field(description="How many editions the book had.")
    def editions(self) -> int:
        return 1 + int(self.id) % 4

    @strawberry.field(description="The year of the first edition; an error for every fifth book.")
    def firstEdition(self) -> Optional[int]:
        if int(self.id) % 5 == 0:
            raise ValueError(f"no record of book {self.id}'s first edition")
        return 1900 + int(self.id) % 100

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> "Book":
        return Book(id=id)


@strawberry.federation.type(keys=["library_id book_id"])
class Stock:
    library_id: strawberry.ID
    book_id: strawberry.ID

    @strawberry.field(description="Below this many copies the library reorders.")
    def reorderAt(self) -> int:
        return (int(self.library_id) + int(self.book_id)) % 3 + 1

    @classmethod
    def resolve_reference(cls, library_id: strawberry.ID, book_id: strawberry.ID) -> "Stock":
        return Stock(library_id=library_id, book_id=book_id)


@strawberry.type
class Query:
    @strawberry.field
    def isbnPrefix(self) -> str:
        return "978"


# Field names as written (library_id, not libraryId), like the gateway's other subgraphs.
schema = strawberry.federation.Schema(
    query=Query, types=[Book, Stock], federation_version="2.3", config=StrawberryConfig(auto_camel_case=False)
)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: dict):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self._answer(200, {"status": "ok"})
        else:
            self._answer(404, {"errors": [{"message": "not found"}]})

    def do_POST(self):
        try:
            length = int(self.headers.get("content-length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            result = schema.execute_sync(
                request.get("query") or "",
                variable_values=request.get("variables"),
                operation_name=request.get("operationName"),
            )
        except Exception as error:  # a malformed request is a GraphQL error, never a crash
            self._answer(400, {"errors": [{"message": str(error)}]})
            return
        body = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        self._answer(200, body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=4008)
    parser.add_argument("--host", default="127.0.0.1")
    arguments = parser.parse_args()
    server = ThreadingHTTPServer((arguments.host, arguments.port), Handler)
    print(f"editions listening on {arguments.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
