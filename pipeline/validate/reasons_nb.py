"""A rule's reason in bokmål, for the data-quality report a KE leader reads (the terminal and
`meta.validation_failures` keep the English text). Built from the rule's kind and parameters;
the contract's own words (`reason:` in the YAML) are added in brackets as written."""

from __future__ import annotations

from pipeline.validate.contracts import Contract, Rule

TYPES = {"date": "dato", "integer": "heltall", "double": "tall", "boolean": "ja/nei-verdi",
         "timestamp": "tidspunkt", "varchar": "tekst"}  # fmt: skip
OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "==": "=", "!=": "≠"}


def _labels(rule: Rule) -> str:
    return ", ".join(
        str(v) if str(v) == str(label) else f"{v} ({label})" for v, label in rule.allowed
    )


def _core(rule: Rule, contract: Contract) -> str:
    cols = ", ".join(rule.columns)
    kind = rule.kind
    if kind == "type":
        column = contract.columns[rule.columns[0]]
        fmt = f" i formatet {column.date_format}" if column.date_format else ""
        return f"ikke en gyldig {TYPES.get(column.type, column.type)}{fmt}"
    if kind == "range":
        low = "" if rule.min is None else f"{rule.min:g}"
        high = "" if rule.max is None else f"{rule.max:g}"
        return f"utenfor området {low}–{high}"
    if kind == "compare":
        return f"{rule.columns[0]} {OPS.get(rule.op or '', rule.op)} {rule.other} holder ikke"
    if kind == "exists":
        other = rule.on[0][1] if rule.on else ""
        return f"ingen rad i {rule.references} har {other} lik denne verdien av {cols}"
    if kind == "relation":
        op = OPS.get(rule.op or "", rule.op)
        return (
            f"{rule.columns[0]} {op} {rule.references}.{rule.other} holder ikke for raden som "
            "hører til"
        )
    texts = {
        "not_null": "verdien mangler",
        "allowed": f"ikke en av de tillatte verdiene: {_labels(rule)}",
        "labels": "filen merker denne koden annerledes enn kontrakten: betydningen kan ha "
        "endret seg (f.eks. mellom to runder av en spørreundersøkelse)",
        "pattern": f"følger ikke mønsteret {rule.pattern}",
        "unique": "verdien står på mer enn én rad",
        "key": f"samme nøkkel ({cols}) på mer enn én rad: alle kopiene holdes tilbake",
        "kommunenummer_known": "ikke et kommunenummer i SSBs klassifikasjon 131",
        "kommunenummer_split": "koden hører ikke til én kommune i valgt årgang (delt mellom "
        "flere senere, 9999 uoppgitt, Svalbard eller sokkelen): raden beholdes med koden som "
        "levert og telles ikke i noen kommune",
        "parse": "raden kan ikke leses riktig (se verdien: feil antall felt, et anførselstegn "
        "som aldri lukkes, en Excel-feil eller en formel som ikke er beregnet)",
        "read": "en sammenslått celle i arket: verdien fra områdets første celle er kopiert "
        "inn i denne raden",
    }
    return texts.get(kind, rule.reason)


def norwegian(rule: Rule, contract: Contract) -> str:
    """The rule's reason in bokmål (the contract's own reason added as written)."""
    core = _core(rule, contract)
    return f"{core} ({rule.why})" if rule.why and core != rule.reason else core
