def to_nmodl(node):
    raise NotImplementedError
