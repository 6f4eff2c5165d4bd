def run_demo(**k):
    pass
