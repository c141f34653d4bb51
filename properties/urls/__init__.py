"""Staff pages of property services, mounted at /properties/ (public pages:
``properties.urls.public`` at /property/)."""

from . import committees, companies, ratings, residents

urlpatterns = [
    *companies.urlpatterns,
    *committees.urlpatterns,
    *ratings.urlpatterns,
    *residents.urlpatterns,
]
