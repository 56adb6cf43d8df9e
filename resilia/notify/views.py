"""Pages of notification (filled in below)."""

from django.http import Http404


def send_list(request, pk=None):
    raise Http404


def send_create(request, pk=None):
    raise Http404


def send_detail(request, pk=None):
    raise Http404


def send_live(request, pk=None):
    raise Http404


def send_ack(request, pk=None):
    raise Http404


def send_close(request, pk=None):
    raise Http404


def send_unanswered(request, pk=None):
    raise Http404


def rollcall_create(request, pk=None):
    raise Http404


def channel_list(request, pk=None):
    raise Http404


def channel_create(request, pk=None):
    raise Http404


def channel_detail(request, pk=None):
    raise Http404


def channel_test(request, pk=None):
    raise Http404


def template_list(request, pk=None):
    raise Http404


def template_create(request, pk=None):
    raise Http404


def calltree_list(request, pk=None):
    raise Http404


def calltree_detail(request, pk=None):
    raise Http404


def policy_list(request, pk=None):
    raise Http404


def policy_detail(request, pk=None):
    raise Http404
