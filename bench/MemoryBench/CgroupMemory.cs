using System.Globalization;

namespace DistCacheAkka.MemoryBench;

/// <summary>
/// A cgroup v1 memory controller's files (memory.sh's <c>cgroup</c> phase runs each node in its own cgroup under
/// /sys/fs/cgroup/memory): usage, peak usage, limit, how often the limit was hit, and the OOM killer's count. Usage
/// counts what the kernel charges the group (RSS and the page cache it touched), which is what a container's memory
/// limit enforces.
/// </summary>
internal static class CgroupMemory
{
    public static long Usage(string dir) => Read(dir, "memory.usage_in_bytes");

    public static long MaxUsage(string dir) => Read(dir, "memory.max_usage_in_bytes");

    public static long Limit(string dir) => Read(dir, "memory.limit_in_bytes");

    public static long FailCount(string dir) => Read(dir, "memory.failcnt");

    /// <summary>memory.memsw.failcnt (memory + swap), or -1 without swap accounting. With both limits equal the
    /// memsw counter is charged first, so it is the one that counts hits of the limit.</summary>
    public static long SwapFailCount(string dir) => Read(dir, "memory.memsw.failcnt");

    /// <summary>A memory.stat field (e.g. <c>rss</c>: anonymous memory; <c>shmem</c>: shared memory, which .NET's W^X
    /// double mapping of JIT code uses and which, like <c>rss</c>, cannot be reclaimed without swap; <c>cache</c>: page
    /// cache charged to the group, shmem included), or -1.</summary>
    public static long Stat(string dir, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(dir, "memory.stat")))
                if (line.StartsWith(field + " ", StringComparison.Ordinal))
                    return long.Parse(line[(field.Length + 1)..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
        }

        return -1;
    }

    /// <summary>memory.oom_control's <c>oom_kill</c> (processes the OOM killer killed in the group), or -1.</summary>
    public static long OomKills(string dir)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(dir, "memory.oom_control")))
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                    return long.Parse(line["oom_kill ".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
        }

        return -1;
    }

    private static long Read(string dir, string file)
    {
        try
        {
            return long.Parse(File.ReadAllText(Path.Combine(dir, file)).Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
