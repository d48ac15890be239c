"""Contract PDFs: downloads, the public verification page, and cohort exports as a ZIP."""

import io

from allauth.core import ratelimit
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import get_cohort_for_coordinator
from accounts.middleware import upload_handlers
from contracts import documents

from .. import export
from ..pdf import RenderTimeout
from . import access as document_access
from .access import get_export_for_coordinator
from .forms import VerifyHashForm, VerifyUploadForm

# Downloads -----------------------------------------------------------------------------------


@login_required
@require_GET
def contract_pdf(request, org_slug, contract_id):
    """The signed PDF of a signed version (byte for byte the stored one), else a draft preview."""
    contract = document_access.get_contract_for_document(request, org_slug, contract_id)
    try:
        pdf, filename = documents.contract_pdf_for_download(contract=contract)
    except RenderTimeout:
        context = {
            "seconds": settings.CONTRACT_PDF_RENDER_SECONDS,
            "back_url": reverse("contract_detail", args=[org_slug, contract.pk]),
        }
        return render(request, "contracts/pdf_unavailable.html", context, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


# Verification --------------------------------------------------------------------------------


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keeps an uploaded file in memory up to `limit` bytes; a larger one is dropped (and
    flagged) rather than spooled to disk: the verification page writes nothing anywhere."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer, self.size = io.BytesIO(), 0

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size > self.limit:
            self.too_large = True
            raise SkipFile
        self.buffer.write(raw_data)

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer,
            self.field_name,
            self.file_name,
            self.content_type,
            file_size,
            self.charset,
            self.content_type_extra,
        )


def _memory_only(request):
    return [MemoryOnlyUploadHandler(request, settings.CONTRACT_VERIFY_MAX_UPLOAD_BYTES)]


@upload_handlers(_memory_only)  # installed before the CSRF check reads the body
@require_http_methods(["GET", "POST"])
def contract_verify(request):
    """Public: anyone may check a PDF or a hash."""
    upload_form, hash_form, verification = VerifyUploadForm(), VerifyHashForm(), None
    status, refusal = 200, ""
    if request.method == "POST":
        files = request.FILES  # parses the body; only then do the handlers know the size
        too_large = any(getattr(h, "too_large", False) for h in request.upload_handlers)
        upload_form = VerifyUploadForm(request.POST, files, too_large=too_large)
        # Checking a signature costs real work: uploads are rate-limited per address
        # (ACCOUNT_RATE_LIMITS["contract_verify"]); a hash lookup is cheap and isn't.
        if not ratelimit.consume(request, action="contract_verify"):
            upload_form, status = VerifyUploadForm(), 429
            refusal = _(
                "Too many files checked from your address. Please try again in a few minutes."
            )
        elif upload_form.is_valid():
            verification = documents.verify_pdf(data=upload_form.cleaned_data["pdf"])
    elif "hash" in request.GET:
        hash_form = VerifyHashForm(request.GET)
        if hash_form.is_valid():
            verification = documents.verify_hash(value=hash_form.cleaned_data["hash"])
    contracts = verification.contracts if verification else []
    context = {
        "upload_form": upload_form,
        "hash_form": hash_form,
        "verification": verification,
        "visible": document_access.contracts_visible_to(request.user, contracts),
        "max_upload_mb": settings.CONTRACT_VERIFY_MAX_UPLOAD_MB,
        "refusal": refusal,
    }
    return render(request, "contracts/verify.html", context, status=status)


# Exports -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def cohort_contracts_export(request, org_slug, cohort_id):
    cohort = get_cohort_for_coordinator(request, org_slug, cohort_id)
    if request.method == "POST":
        contract_export = export.contract_export_request(cohort=cohort, actor=request.user)
        return redirect("contract_export_status", org_slug=org_slug, export_id=contract_export.pk)
    context = {
        "organization": cohort.organization,
        "cohort": cohort,
        "signed_count": export.cohort_contracts_for_export(cohort=cohort).count(),
        "exports": export.cohort_exports(cohort=cohort),
        "keep_days": settings.CONTRACT_EXPORT_KEEP_DAYS,
    }
    return render(request, "contracts/export.html", context)


@login_required
@require_GET
def contract_export_status(request, org_slug, export_id):
    contract_export = get_export_for_coordinator(request, org_slug, export_id)
    context = {
        "organization": contract_export.organization,
        "cohort": contract_export.cohort,
        "export": contract_export,
        "status": export.export_status(export=contract_export),
    }
    return render(request, "contracts/export_status.html", context)


@login_required
@require_GET
@never_cache
def contract_export_status_json(request, org_slug, export_id):
    contract_export = get_export_for_coordinator(request, org_slug, export_id)
    status = export.export_status(export=contract_export)
    if contract_export.status == contract_export.Status.DONE:
        status["download_url"] = reverse(
            "contract_export_download", kwargs={"org_slug": org_slug, "export_id": export_id}
        )
    return JsonResponse(status)


@login_required
@require_GET
def contract_export_download(request, org_slug, export_id):
    contract_export = get_export_for_coordinator(request, org_slug, export_id)
    if contract_export.status != contract_export.Status.DONE:
        return redirect("contract_export_status", org_slug=org_slug, export_id=export_id)
    try:
        archive = contract_export.archive.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404(_("This export's file is no longer available.")) from error
    export.contract_export_downloaded(export=contract_export, actor=request.user)
    return FileResponse(
        archive, as_attachment=True, filename=export.export_download_name(contract_export)
    )
