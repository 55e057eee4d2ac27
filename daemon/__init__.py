"""oo-support: the OneOffice helpdesk daemon."""
