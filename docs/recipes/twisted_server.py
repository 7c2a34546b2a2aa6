"""twisted.web on a sockffi socket."""

import _serve
from twisted.internet import reactor
from twisted.web import resource
from twisted.web.server import Site

import sockffi


class Hello(resource.Resource):
    isLeaf = True

    def render_GET(self, request: object) -> bytes:
        return _serve.body()


server = _serve.listen(nonblocking=True)  # twisted needs a non-blocking socket
watch = _serve.Watch(server)
# [recipe]
family = server.family
fd = server.detach()  # a unix socket's file stays: twisted serves on it
reactor.adoptStreamPort(fd, family, Site(Hello()))  # type: ignore[attr-defined]
sockffi.close(fd)  # twisted dups the fd: this process's copy can go at once
# [/recipe]
reactor.run()  # type: ignore[attr-defined]
watch.released()
