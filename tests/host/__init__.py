"""The test host: a real Frappe-derived framework that runs this app outside a bench.

Nothing here ships with the app. `bootstrap` selects the backend (the host, or a real bench site
when FAC_TEST_SITE is set), `site` creates and drops throwaway sites, `__main__` is the command line.
"""
