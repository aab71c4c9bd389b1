using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DistCacheAkka.MemoryBench;

/// <summary>
/// The live managed heap of a process after a full, induced GC, from <c>dotnet-gcdump report -p PID</c> ("N GC Heap
/// bytes"), run in a folder whose tool manifest holds dotnet-gcdump (memory.sh installs it there). The figure counts
/// reachable objects only: no garbage, no GC free space. On .NET 10 the tool warns that its event buffering is lossy,
/// so on large heaps it may under-count; read it next to the accounting and RSS, not alone.
/// </summary>
internal static partial class GcHeap
{
    /// <summary>Live GC heap bytes of <paramref name="pid"/>, or -1 when the tool is missing or failed.</summary>
    public static async Task<long> LiveBytesAsync(string? toolDirectory, int pid)
    {
        if (toolDirectory is null)
            return -1;
        var start = new ProcessStartInfo("dotnet", $"dotnet-gcdump report -p {pid}")
        {
            WorkingDirectory = toolDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start);
        if (process is null)
            return -1;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            _ = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            var match = HeapBytes().Match(await output);
            return match.Success ? long.Parse(match.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : -1;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return -1;
        }
    }

    [GeneratedRegex(@"([\d,]+)\s+GC Heap bytes")]
    private static partial Regex HeapBytes();
}
