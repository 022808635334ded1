"""websocket, CPU accounting from Linux /proc: user + system seconds per role's
processes (RabbitMQ found as ``beam.smp``) and the whole machine's busy time."""
import os
import time


def cpu_seconds(pid):
    """User + system CPU time of a process."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds():
    """CPU seconds all cores spent not idle (nor waiting on I/O)."""
    with open("/proc/stat") as handle:
        fields = [int(value) for value in handle.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def rabbitmq_pids():
    pids = []
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/comm") as handle:
                if handle.read().strip() == "beam.smp":
                    pids.append(int(name))
        except (OSError, ValueError):
            continue
    return pids


def cpu_snapshot(pids):
    """{role: CPU seconds of its pids, "machine": busy seconds, "wall": monotonic time}."""
    snapshot = {role: sum(cpu_seconds(pid) for pid in ids) for role, ids in pids.items()}
    snapshot["machine"] = machine_busy_seconds()
    snapshot["wall"] = time.monotonic()
    return snapshot
