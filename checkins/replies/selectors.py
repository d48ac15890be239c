"""Reading a check-in's thread, a page at a time."""

from django.core.paginator import Page, Paginator
from django.db.models import Count

from ..models import CheckIn, CheckInReply

REPLIES_PER_PAGE = 20


def checkin_thread(*, checkin: CheckIn, page: int | str | None = None) -> Page:
    """The replies, oldest first, with their authors; `page` defaults to the last (newest)."""
    replies = CheckInReply.objects.filter(checkin=checkin).select_related("author")
    paginator = Paginator(replies.order_by("created_at", "pk"), REPLIES_PER_PAGE)
    if page in (None, ""):
        page = paginator.num_pages
    return paginator.get_page(page)


def reply_counts(*, checkin_ids) -> dict[int, int]:
    """Replies per check-in, for the pair page's links. One query."""
    rows = (
        CheckInReply.objects.filter(checkin_id__in=list(checkin_ids))
        .order_by()
        .values("checkin_id")
        .annotate(n=Count("pk"))
        .values_list("checkin_id", "n")
    )
    return dict(rows)
