import asyncio

import port_in_use
import pytest


@pytest.mark.sockffi_fail("bind", "EADDRINUSE")
def test_a_taken_port_gets_a_friendly_message():
    with pytest.raises(SystemExit) as info:
        asyncio.run(port_in_use.serve(8080))
    assert str(info.value) == "port 8080 is in use: is another copy running?"
