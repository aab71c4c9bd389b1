using System.Globalization;

namespace DistCacheAkka.MemoryBench;

/// <summary>
/// Resident memory of server processes from /proc/&lt;pid&gt;/status: VmRSS now and VmHWM, the peak since the process
/// started. RSS is what a container's memory limit counts; it includes the GC's free space and garbage not yet
/// collected, so it is an upper bound of what the entries need, where the node's accounting is a lower one.
/// </summary>
internal static class ProcessMemory
{
    /// <summary>VmRSS of <paramref name="pid"/> in bytes, or -1 when the process is gone.</summary>
    public static long Rss(int pid) => Read(pid, "VmRSS:");

    /// <summary>VmHWM (peak RSS) of <paramref name="pid"/> in bytes, or -1 when the process is gone.</summary>
    public static long PeakRss(int pid) => Read(pid, "VmHWM:");

    /// <summary>RssAnon: the anonymous part of VmRSS (heaps, stacks), or -1.</summary>
    public static long RssAnon(int pid) => Read(pid, "RssAnon:");

    /// <summary>RssFile: the file-backed part of VmRSS (mapped runtime and assemblies), or -1. A cgroup is charged for a
    /// file page only if it brought the page into the page cache, so this part may be charged to another group.</summary>
    public static long RssFile(int pid) => Read(pid, "RssFile:");

    public static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/status");

    private static long Read(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024; // kB
        }
        catch (IOException)
        {
        }

        return -1;
    }
}
