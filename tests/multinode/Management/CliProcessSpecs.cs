using System.Text.Json;
using DistCacheAkka.Tests.Multinode.Processes;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.Management;

// The distcache-cli as a real process against real CacheNode processes: cluster show lists every member, cache set
// then get round-trips, cluster leave and cluster down really change the membership (and the nodes exit), and the
// exit codes hold: 2 for usage errors with the closest matches, 1 for an unreachable node, 0 otherwise.
public sealed class CliProcessSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly NodeProcessGroup _nodes = new(FailoverProcessSpecs.TestNodeHocon, output);

    [Fact]
    public async Task Should_manage_a_real_cluster_through_the_cli()
    {
        var seed = Start("seed", null);
        await seed.WaitListeningAsync(TimeSpan.FromSeconds(60));
        var worker1 = Start("worker", seed.Port);
        var worker2 = Start("worker", seed.Port);
        var mgmt = seed.ManagementEndpoint;

        await Eventually.HoldsAsync(async () => (await MembersAsync(mgmt)).Count(m => m.Status == "Up") == 3,
            TimeSpan.FromSeconds(90), "cluster show to list 3 Up members");
        var members = await MembersAsync(worker1.ManagementEndpoint);
        Assert.Equal(new[] { seed.Port, worker1.Port, worker2.Port }.Order(), members.Select(m => new Uri(m.Address.Replace("akka.tcp", "tcp")).Port).Order());

        var table = await CliProcess.RunAsync([mgmt, "cluster", "show"]);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains($"127.0.0.1:{worker2.Port}", table.Output);

        using var http = new HttpClient();
        foreach (var node in new[] { seed, worker1, worker2 })
        {
            await Eventually.HoldsAsync(async () => (await http.GetAsync($"http://{node.ManagementEndpoint}/health/ready")).IsSuccessStatusCode,
                TimeSpan.FromSeconds(60), $"node {node.Port} ready");
        }

        // Readiness is per node (its own shards); the whole key space is served once every shard is allocated.
        await Eventually.HoldsAsync(async () =>
        {
            var stats = await CliProcess.RunAsync([mgmt, "cluster-sharding", "shard-stats", "--json"]);
            return stats.ExitCode == 0 && JsonDocument.Parse(stats.Output).RootElement.GetProperty("allocatedShards").GetInt32() == 1024;
        }, TimeSpan.FromSeconds(120), "every shard allocated"); // 1,024 coordinator state writes; slow when the machine is loaded

        var set = await CliProcess.RunAsync([mgmt, "cache", "set", "cli:greeting", "hello from the cli", "--ttl", "10m", "--consistency", "strong"]);
        Assert.True(set.ExitCode == 0, set.ToString());
        var get = await CliProcess.RunAsync([worker2.ManagementEndpoint, "cache", "get", "cli:greeting", "--json"]);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("hello from the cli", JsonDocument.Parse(get.Output).RootElement.GetProperty("value").GetString());

        var leave = await CliProcess.RunAsync([mgmt, "cluster", "leave", $"127.0.0.1:{worker2.Port}"]);
        Assert.True(leave.ExitCode == 0, leave.ToString());
        await Eventually.HoldsAsync(async () => (await MembersAsync(mgmt)).All(m => !m.Address.EndsWith($":{worker2.Port}", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "the leaving worker removed");
        Assert.Equal(0, await worker2.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var afterLeave = await ReadEventuallyAsync(mgmt, "cli:greeting");
        Assert.Equal("hello from the cli", afterLeave.GetProperty("value").GetString());

        // R = 2 tolerates one failure at a time: before downing another node, wait until the shards that moved have
        // their backups again (every entry has a backup copy on the other node).
        await Eventually.HoldsAsync(async () =>
        {
            var stats = await CliProcess.RunAsync([mgmt, "cache", "stats", "--json"]);
            if (stats.ExitCode != 0)
                return false;
            var root = JsonDocument.Parse(stats.Output).RootElement;
            return root.GetProperty("totalBackupEntries").GetInt64() >= root.GetProperty("totalEntries").GetInt64();
        }, TimeSpan.FromSeconds(60), "the replication factor restored after the leave");

        var down = await CliProcess.RunAsync([mgmt, "cluster", "down", $"akka.tcp://distcache@127.0.0.1:{worker1.Port}"]);
        Assert.True(down.ExitCode == 0, down.ToString());
        await Eventually.HoldsAsync(async () => (await MembersAsync(mgmt)).Count == 1,
            TimeSpan.FromSeconds(60), "the downed worker removed");
        await worker1.WaitForExitAsync(TimeSpan.FromSeconds(60)); // a downed node stops itself

        // The value written at Strong (on all replicas) survived both departures; reads may wait for re-allocation.
        var after = await ReadEventuallyAsync(mgmt, "cli:greeting");
        Assert.Equal("hello from the cli", after.GetProperty("value").GetString());

        var shell = await CliProcess.RunAsync([mgmt], input: "cluster status\nhistory\ncache bogus\nexit\n");
        Assert.True(shell.ExitCode == 0, shell.ToString());
        Assert.Contains("membersUp", shell.Output);
        Assert.Contains("1  cluster status", shell.Output);
        Assert.Contains("unknown command 'cache bogus'", shell.Error);
    }

    [Theory]
    [InlineData(new[] { "cluster", "shwo" }, "did you mean 'show'?")]
    [InlineData(new[] { "caches", "stats" }, "did you mean 'cache'?")]
    [InlineData(new[] { "cache", "set", "only-a-key" }, "missing <value>")]
    public async Task Should_exit_2_for_usage_errors(string[] words, string message)
    {
        var result = await CliProcess.RunAsync(["127.0.0.1:9", .. words]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public async Task Should_exit_1_naming_the_address_when_the_node_is_unreachable()
    {
        var port = NodeProcess.FreePort(); // nothing listens there

        var result = await CliProcess.RunAsync([$"127.0.0.1:{port}", "cluster", "show"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"cannot reach the node at 127.0.0.1:{port}", result.Error);
    }

    /// <summary>Reads a key through the CLI, retrying while its shard is being re-allocated (exit 1 with a timeout).</summary>
    private static async Task<JsonElement> ReadEventuallyAsync(string endpoint, string key)
    {
        CliResult read = null!;
        await Eventually.HoldsAsync(async () => (read = await CliProcess.RunAsync([endpoint, "cache", "get", key, "--json"])).ExitCode == 0,
            TimeSpan.FromSeconds(60), $"a successful read of {key}");
        var value = JsonDocument.Parse(read.Output).RootElement;
        Assert.True(value.GetProperty("found").GetBoolean(), read.ToString());
        return value;
    }

    private static async Task<List<(string Address, string Status)>> MembersAsync(string endpoint)
    {
        var result = await CliProcess.RunAsync([endpoint, "cluster", "show", "--json"]);
        if (result.ExitCode != 0)
            return [];
        return JsonDocument.Parse(result.Output).RootElement.GetProperty("members").EnumerateArray()
            .Select(m => (m.GetProperty("address").GetString()!, m.GetProperty("status").GetString()!)).ToList();
    }

    private NodeProcess Start(string role, int? seedPort) => _nodes.Start(role, seedPort);

    public void Dispose() => _nodes.Dispose();
}
