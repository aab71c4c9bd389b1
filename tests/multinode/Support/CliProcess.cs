using System.Diagnostics;

namespace DistCacheAkka.Tests.Multinode.Support;

/// <summary>The result of one distcache-cli run.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>Runs the real distcache-cli (built next to the tests) as an OS process, with a deadline.</summary>
public static class CliProcess
{
    public static async Task<CliResult> RunAsync(string[] args, string? input = null, TimeSpan? deadline = null)
    {
        var info = new ProcessStartInfo(NodeProcess.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "distcache-cli.dll"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment.Remove("DISTCACHE_MGMT_TOKEN");

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
            await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(deadline ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"distcache-cli {string.Join(' ', args)} did not finish within {(deadline ?? TimeSpan.FromSeconds(60)).TotalSeconds} s");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
