"""Plan activation and the task board (issue 13 item 4): the plans proposed from what failed,
their steps as tasks by phase, the call tree notified (marked as a drill in a drill), tasks
started and finished with the refusals (a finish before the start, a time in the future, a
closed incident), the critical path recomputed from actual progress against the RTO."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.incidents import activation as act
from resilia.incidents import services
from resilia.incidents.models import Incident, Task, TaskState
from resilia.incidents.tests.conftest import at, pack
from resilia.plans.tests.conftest import sign_off

pytestmark = pytest.mark.django_db


@pytest.fixture
def net_down(plan_setup, personas, t0):
    with request_context(source="test"):
        net = deps.resource_create(actor=None, code="NET", name="骨干网络", kind="infrastructure")
        deps.dependency_create(actor=None, dependent=plan_setup["pay"], dependency=net)
    version = sign_off(plan_setup, personas)
    incident = services.incident_declare(
        actor=personas["manager"], title="骨干网络中断", category="it", pack=pack("generic"),
        detected_at=t0, resources=[net], now=at(t0, 2),
    )  # fmt: skip
    return incident, version


def test_the_plan_is_proposed_from_what_failed_and_activated(net_down, personas, t0):
    incident, version = net_down
    [proposal] = act.proposed(personas["manager"], incident)
    assert proposal.code == "EP-NET" and proposal.because == ["PAY"]
    activation = act.activate(
        actor=personas["manager"], incident=incident, version=version, now=at(t0, 5)
    )
    steps = version.content["steps"]
    assert activation.tasks.count() == len(steps) > 0
    assert [t.key for t in activation.tasks.order_by("position")] == [s["key"] for s in steps]
    assert act.proposed(personas["manager"], incident) == []
    incident.refresh_from_db()
    assert incident.status == "responding"
    assert AuditEvent.objects.filter(
        action="incident_activate", object_id=str(incident.pk)
    ).exists()
    with pytest.raises(ValidationError):
        act.activate(actor=personas["manager"], incident=incident, version=version)


def test_tasks_and_the_projection(net_down, personas, t0):
    incident, version = net_down
    activation = act.activate(
        actor=personas["manager"], incident=incident, version=version, now=at(t0, 5)
    )
    task = activation.tasks.order_by("position").first()
    m = personas["manager"]
    act.task_update(actor=m, task=task, state=TaskState.STARTED, at=at(t0, 10), now=at(t0, 11))
    # In Chinese, whatever language an earlier test of this process left active.
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        act.task_update(actor=m, task=task, state=TaskState.DONE, at=at(t0, 8), now=at(t0, 12))
    assert "之前完成" in str(err.value)
    with pytest.raises(ValidationError):
        act.task_update(actor=m, task=task, state=TaskState.DONE, at=at(t0, 90), now=at(t0, 12))
    task.refresh_from_db()
    assert task.state == TaskState.STARTED and task.finished_at is None
    act.task_update(actor=m, task=task, state=TaskState.DONE, at=at(t0, 12), now=at(t0, 12))
    # Again (a second tap): nothing changes, no second event.
    act.task_update(actor=m, task=task, state=TaskState.DONE, now=at(t0, 13))
    assert AuditEvent.objects.filter(action="incident_task", object_id=str(task.pk)).count() == 2
    board = act.board(incident, now=at(t0, 20))
    [a] = board["activations"]
    assert a["counts"]["done"] == 1 and a["end"] is not None
    # The projection: done steps at their actual end, the rest from now on.
    timed = [t for t in activation.tasks.order_by("position") if t.phase in
             ("response", "recovery", "validation", "resumption")]  # fmt: skip
    assert a["projection"].finish[task.key] == 12 if task in timed else True
    assert a["end"] >= 20


def test_a_finished_task_cannot_finish_before_the_incident(net_down, personas, t0):
    incident, version = net_down
    activation = act.activate(actor=personas["manager"], incident=incident, version=version)
    task = activation.tasks.first()
    with pytest.raises(ValidationError):
        act.task_update(actor=personas["manager"], task=task, state=TaskState.DONE, at=at(t0, -60))


def test_the_call_tree_is_notified_and_marked_as_a_drill(
    plan_setup, personas, people, t0, smtp_server
):
    from resilia.notify import services as notify
    from resilia.notify.models import Delivery
    from resilia.plans import services as plans

    with request_context(source="test"):
        net = deps.resource_create(actor=None, code="NET", name="骨干网络", kind="infrastructure")
        deps.dependency_create(actor=None, dependent=plan_setup["pay"], dependency=net)
    notify.channel_create(
        actor=None, name="mail", kind="email", priority=1,
        config={"host": "127.0.0.1", "port": smtp_server.controller.port,
                "from_email": "bcm@example.com"},
    )  # fmt: skip
    incident = services.incident_declare(
        actor=personas["manager"], title="断网演练", category="it", pack=pack("generic"),
        detected_at=t0, resources=[net], is_drill=True,
    )  # fmt: skip
    version = plan_setup["version"]
    content = dict(version.content)
    content["roles"] = [{**content["roles"][0], "person": people["alice"].pk}] + content["roles"][
        1:
    ]
    plans.version_update(actor=personas["coord_a"], version=version, content=content)
    version = sign_off(plan_setup, personas)
    # No INCIDENT message template yet: refused, nothing activated.
    with pytest.raises(ValidationError):
        act.activate(actor=personas["manager"], incident=incident, version=version, notify=True)
    assert incident.activations.count() == 0
    notify.template_create(
        actor=None, code="INCIDENT", subject="{title}", body="{incident} {plan} {ack_link}",
    )  # fmt: skip
    activation = act.activate(
        actor=personas["manager"], incident=incident, version=version, notify=True
    )
    send = activation.send
    assert send.title.startswith("[演练]") or send.title.startswith("[DRILL]")
    delivery = Delivery.objects.get(send=send, person=people["alice"])
    assert "演练" in delivery.body or "DRILL" in delivery.body


def test_the_board_page_and_a_task_by_htmx(net_down, personas, client_as, t0):
    incident, version = net_down
    client = client_as("manager", "zh-hans")
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="activate-EP-NET"' in page
    response = client.post(
        reverse("incidents:activate", args=[incident.pk]), {"version": version.pk}
    )
    assert response.status_code == 302 and response.url == reverse(
        "incidents:board", args=[incident.pk]
    )
    board = client.get(response.url)
    assert board.status_code == 200 and 'data-testid="task"' in board.content.decode()
    task = Task.objects.filter(activation__incident=incident).order_by("position").first()
    started = client.post(
        reverse("incidents:task", args=[task.pk]), {"state": "started"}, HTTP_HX_REQUEST="true"
    )
    assert started.status_code == 200 and 'data-state="started"' in started.content.decode()
    future = (dt.datetime.now() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(
        reverse("incidents:task", args=[task.pk]), {"state": "done", "at": future},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert refused.status_code == 400 and "不能" in refused.content.decode()
    assert Task.objects.get(pk=task.pk).state == "started"
    # An auditor reads the board but has no buttons and may not post.
    auditor = client_as("auditor")
    assert 'data-testid="task-form"' not in auditor.get(response.url).content.decode()
    assert (
        auditor.post(reverse("incidents:task", args=[task.pk]), {"state": "done"}).status_code
        == 403
    )


def test_the_owner_works_their_own_task(net_down, personas, people, client_as):
    incident, version = net_down
    activation = act.activate(actor=personas["manager"], incident=incident, version=version)
    mine, other = activation.tasks.order_by("position")[:2]
    act.task_assign(actor=personas["manager"], task=mine, owner=people["bob"])  # contrib_a
    contributor = client_as("contrib_a")
    url = reverse("incidents:task", args=[mine.pk])
    assert contributor.post(url, {"state": "started"}).status_code == 302
    assert Task.objects.get(pk=mine.pk).state == "started"
    assert contributor.post(
        reverse("incidents:task", args=[other.pk]), {"state": "started"}
    ).status_code in (403, 404)
    assert Incident.objects.get(pk=incident.pk).status == "responding"
