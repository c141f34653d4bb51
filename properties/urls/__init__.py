"""Staff pages of property services, mounted at /properties/ (public pages:
``properties.urls.public`` at /property/)."""

from . import committees, companies, coverage, ratings, residents

urlpatterns = [
    *companies.urlpatterns,
    *coverage.urlpatterns,
    *committees.urlpatterns,
    *ratings.urlpatterns,
    *residents.urlpatterns,
]
