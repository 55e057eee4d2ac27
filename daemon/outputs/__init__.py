"""What the daemon shows and sends about cases: the JSON documents (views), the tables
for a terminal (terminal, case_tables) and the monthly report (reports) with its mail
(monthly_reports). Built from the store; no rules of their own beyond presentation."""
