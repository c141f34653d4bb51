"""The public property pages (under /property/): no login, phone first.

* ``property-rate``: a household rates the company serving its compound. Step 1 the
  rating code from the household's slip (``?code=`` pre-fills it); step 2 shows the
  compound, the company and the period, and asks five aspects of 1–5 stars and an
  optional comment; then a thank-you page that says whether this rating replaced
  the household's earlier one. Nothing personal is asked. Unknown codes count
  against the caller's address (:data:`DEFAULT_LIMITS`), so codes cannot be guessed.
* ``property-results``, ``property-results-period``, ``property-company-history``:
  the published results of closed periods (open and scheduled periods are a 404).
  Companies, scores and counts only: no households, codes or staff names.
"""

from __future__ import annotations

from itertools import groupby

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views import View

from governance.ratelimit import Limiter, Verdict, client_ip
from governance.web.forms import attach_errors

from ..forms_residents import RateCodeForm, RateForm
from ..models import OwnerRating, PropertyCompany, RatingResult, ResultStatus
from ..selectors_ratings import company_history, period_results
from ..selectors_residents import (
    closed_periods,
    compounds_served,
    public_period,
    rating_context,
)
from ..services_residents import (
    format_code,
    household_for_code,
    owner_rating_submit,
    unknown_code_message,
)

# --- rate limits ------------------------------------------------------------------------------

#: ``(count, window in seconds)``; ``settings.PROPERTY_RATE_LIMITS`` overrides.
#: ``code_ip``: unknown rating codes tried from one address; past it, every look-up
#: from that address is refused until the window ends (known codes included, so a
#: guesser learns nothing more).
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {"code_ip": (20, 60 * 60)}
LIMITER = Limiter(prefix="property-rl", defaults=DEFAULT_LIMITS, setting="PROPERTY_RATE_LIMITS")


def too_many(request, verdict: Verdict):
    response = render(request, "properties/public/rate_limited.html",
                      {"retry_minutes": max(1, (verdict.retry_after + 59) // 60)}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def not_found(request, message=None):
    return render(request, "properties/public/not_found.html", {"message": message}, status=404)


# --- the residents' form ----------------------------------------------------------------------

RESULT_KEY = "property_rate_result"
DONE_KEY = "property_rate_tokens"
DONE_KEEP = 10


class RateView(View):
    code_template = "properties/public/rate_code.html"
    form_template = "properties/public/rate_form.html"

    def get(self, request):
        raw = request.GET.get("code", "")
        if not raw.strip():
            return render(request, self.code_template, {"form": RateCodeForm()})
        return self.lookup(request, RateCodeForm({"code": raw[:30]}), then=self.show_form)

    def post(self, request):
        form = RateForm(request.POST)
        token = request.POST.get("token", "")
        if token and token in request.session.get(DONE_KEY, []):
            return redirect("property-rate-thanks")  # the same form sent twice
        code_form = RateCodeForm({"code": request.POST.get("code", "")[:30]})
        return self.lookup(request, code_form, then=lambda req, ctx: self.submit(req, ctx, form))

    def lookup(self, request, code_form, *, then):
        """Find the household of the code (rate limited), then call ``then``."""
        if not code_form.is_valid():
            return render(request, self.code_template, {"form": code_form})
        ip = client_ip(request)
        verdict = LIMITER.peek("code_ip", ip)
        if not verdict.allowed:
            return too_many(request, verdict)
        household = household_for_code(code_form.cleaned_data["code"])
        if household is None:
            LIMITER.count("code_ip", ip)
            code_form.add_error("code", unknown_code_message())
            return render(request, self.code_template, {"form": code_form})
        context = rating_context(household)
        if context.problem:
            return render(request, self.code_template, {
                "form": code_form, "problem": context.problem, "household": household,
            })
        return then(request, context)

    def show_form(self, request, context, form=None):
        if form is None:
            form = RateForm(initial={"code": context.household.code, "token": RateForm.new_token()})
        return render(request, self.form_template, {
            "form": form, "household": context.household, "compound": context.household.compound,
            "company": context.company, "period": context.period,
            "shown_code": format_code(context.household.code),
        })

    def submit(self, request, context, form):
        if not form.is_valid():
            return self.show_form(request, context, form)
        data = form.cleaned_data
        try:
            rating, replaced = owner_rating_submit(
                period=context.period, code=data["code"], comment=data["comment"],
                **{name: data[name] for name in OwnerRating.ASPECTS},
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.show_form(request, context, form)
        request.session[RESULT_KEY] = {
            "replaced": replaced, "company": context.company.name,
            "compound": context.household.compound.name, "period": context.period.label,
            "score": str(rating.score),
        }
        done = [t for t in request.session.get(DONE_KEY, []) if t != data["token"]]
        request.session[DONE_KEY] = [data["token"], *done][:DONE_KEEP]
        return redirect("property-rate-thanks")


def rate_thanks(request):
    result = request.session.get(RESULT_KEY)
    if not result:
        return redirect("property-rate")
    return render(request, "properties/public/rate_thanks.html", {"result": result})


# --- published results --------------------------------------------------------------------------


RESULTS_PER_PAGE = 100


def results_index(request):
    """Every district's closed periods, newest first, grouped by district."""
    periods = list(closed_periods())
    by_district = []
    for _district_id, group in groupby(sorted(periods, key=lambda p: (p.district.name, p.district_id)),
                                       key=lambda p: p.district_id):
        group = sorted(group, key=lambda p: (-p.year, -p.half))
        by_district.append({"district": group[0].district, "periods": group})
    by_district.sort(key=lambda d: (-d["periods"][0].year, -d["periods"][0].half, d["district"].name))
    return render(request, "properties/public/results_index.html", {"districts": by_district})


def results_period(request, period_id):
    period = public_period(period_id)
    if period is None:
        return not_found(request)
    results = period_results(period)
    query = (request.GET.get("q") or "").strip()[:60]
    if query:
        results = results.filter(company__name__icontains=query)
    # A district may rate thousands of companies: a page at a time keeps the page light
    # on a phone (10,000 companies on one page were 5 MB and 1.5 s).
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    rated = RatingResult.objects.filter(period=period, status=ResultStatus.RATED).count()
    return render(request, "properties/public/results_period.html", {
        "period": period, "results": page.object_list, "page_obj": page, "query": query,
        "statuses": ResultStatus, "rated": rated,
    })


def company_history_page(request, company_id):
    company = PropertyCompany.objects.filter(pk=company_id).only("pk", "name").first()
    history = list(company_history(company)) if company is not None else []
    if not history:
        return not_found(request)
    return render(request, "properties/public/company_history.html", {
        "company": company, "history": history, "compounds": compounds_served(company),
        "statuses": ResultStatus,
    })
