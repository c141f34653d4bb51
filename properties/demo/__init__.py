"""Demo property services in 分宜县, the seed's model county (DOMAIN.md §3):

* 31 property companies (all with a party organisation: the community's party
  organisation they belong to), serving 51 of the 208 compounds: professional, four
  trust-model (信托制, supervised by the street and 分宜县慈善总会, accounts published) and
  two temporary emergency companies; the other 157 compounds are served in the five
  modes 代理式, 大物业, 捆绑式, 兜底性 and 自治化, each with its responsible body;
* 124 owners' and self-management committees of 8 members: 992 members, 631 party
  members (63.6 %), 14 community cadres on committees, and 19 company party members
  serving on community party committees (双向进入、交叉任职); some terms end within 90
  or 30 days of the load and two have ended (re-election reminders and overdue flags);
* twelve major-decision pre-reports (two filed late, some acknowledged, one objected);
* 460 mediated disputes over the last two years;
* households with rating codes in the served compounds, and the last half year's
  rating period, rated by the owners, reviewed by the communities, inspected, then
  closed and published (two companies with too few owners' ratings);
* a company staff login ``fenyi-property``.

Everything goes through the services, with :func:`wishes.demo.demo_clock` setting the
time of each step, in one transaction; a second run finds the companies and creates
nothing.
"""

from .load import COMPANY_LOGIN, PropertyLoadResult, last_closed_half, load_demo_properties

__all__ = ["COMPANY_LOGIN", "PropertyLoadResult", "last_closed_half", "load_demo_properties"]
