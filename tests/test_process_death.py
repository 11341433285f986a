"""A server killed mid-delivery: another process sends it once the dead one's lease ends."""

from __future__ import annotations

from tests.receiver import Receiver
from tests.server import StartServer, server_factory
from tests.webhooks.test_delivery import ENV, Tenant, tenant

__all__ = ["server_factory"]

# The lease is the timeout plus this margin: short here so that the test need not wait long.
FAST_LEASE = {**ENV, "ONEOFF_WEBHOOK_TIMEOUT": "3", "ONEOFF_WEBHOOK_LEASE_MARGIN": "1"}


def test_a_process_killed_mid_delivery_leaves_it_to_another(
    server_factory: StartServer,
) -> None:
    doomed = server_factory(env_overrides=FAST_LEASE)
    with Receiver() as receiver, doomed.client() as http:
        acme: Tenant = tenant(doomed, http)
        _, secret = acme.endpoint(receiver.url)
        receiver.delay = 2.5  # the first request is still unanswered when its sender dies
        invoice_id = acme.invoice()
        [first] = receiver.wait_for(lambda requests: len(requests) >= 1)
        doomed.process.kill()  # SIGKILL: no shutdown hook, the lease stays as it was
        doomed.stop()
        receiver.delay = 0.0

        survivor = server_factory(database_url=doomed.database_url, env_overrides=FAST_LEASE)
        with survivor.client() as survivor_http:
            acme = Tenant(survivor_http, acme.key)
            delivery = acme.settled(invoice_id)
        requests = receiver.snapshot()
        assert [r.webhook_id for r in requests] == [first.webhook_id] * 2
        assert receiver.max_in_flight[first.webhook_id] == 1
        assert requests[1].status == 200
        # The dead process never recorded its attempt; the survivor's is the only one.
        assert delivery["attemptCount"] == 1
        assert [a["statusCode"] for a in delivery["attempts"]] == [200]
        assert requests[1].at - first.at >= 3.0  # not before the lease (3 s + 1 s) ran out
        assert secret.startswith("whsec_")
