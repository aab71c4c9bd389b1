namespace DistCacheAkka.Cli;

/// <summary>One command of a palette: its HTTP method, positional arguments and options.</summary>
/// <param name="Arguments">Positional arguments in order; a trailing "?" marks the last one optional.</param>
/// <param name="Options">Options the command accepts (without "--"), each taking a value.</param>
internal sealed record CommandSpec(string Palette, string Name, string Method, string[] Arguments, string[] Options, string Summary)
{
    public string Path => $"/{Palette}/{Name}";

    public string Usage => string.Join(" ", new[] { Palette, Name }
        .Concat(Arguments.Select(a => a.EndsWith('?') ? $"[{a.TrimEnd('?')}]" : $"<{a}>"))
        .Concat(Options.Select(o => $"[--{o} {o.ToUpperInvariant()}]")));
}

/// <summary>The palettes the nodes serve (the node's ManagementRoutes has the same table; a test checks they agree).</summary>
internal static class CommandTable
{
    public static readonly IReadOnlyList<CommandSpec> All =
    [
        new("cluster", "show", "GET", [], [], "members with status, roles and reachability"),
        new("cluster", "status", "GET", [], [], "this node's status, the leader, unreachable members"),
        new("cluster", "leader", "GET", [], [], "the cluster leader and each role's leader"),
        new("cluster", "join", "POST", ["address"], [], "make this node join the cluster at address"),
        new("cluster", "leave", "POST", ["address?"], [], "a member (default: this node) leaves gracefully"),
        new("cluster", "down", "POST", ["address"], [], "mark a member down; its shards fail over"),
        new("cluster", "down-unreachable", "POST", [], [], "down every unreachable member"),
        new("cluster-sharding", "regions", "GET", [], [], "the shard regions of the cache"),
        new("cluster-sharding", "region-stats", "GET", [], [], "this node's shards with entities and keys"),
        new("cluster-sharding", "shard-stats", "GET", [], [], "shards per node across the cluster"),
        new("cluster-sharding", "entity-location", "GET", ["key"], [], "the shard, primary and backups of a key"),
        new("cache", "stats", "GET", [], [], "cluster-wide cache statistics and per node"),
        new("cache", "get", "GET", ["key"], ["consistency"], "read a key (value as text and base64)"),
        new("cache", "set", "POST", ["key", "value"], ["ttl", "consistency"], "write a key (ttl like 30s, 5m; consistency strong|quorum|eventual)"),
        new("cache", "remove", "POST", ["key"], ["consistency"], "remove a key"),
        new("cache", "ring", "GET", [], [], "the hash ring: each node's share of hash space and shards"),
        new("cache", "distribution", "GET", [], [], "keys and shards per node, deviation from the mean"),
        new("cache", "rebalance-status", "GET", [], [], "pending shard moves and the last rebalance progress"),
    ];

    public static IEnumerable<string> Palettes => All.Select(c => c.Palette).Distinct();

    public static CommandSpec? Find(string palette, string command) =>
        All.FirstOrDefault(c => c.Palette == palette && c.Name == command);

    /// <summary>Up to three known names closest to <paramref name="typed"/> (edit distance, or a shared prefix).</summary>
    public static IReadOnlyList<string> Closest(string typed, IEnumerable<string> known) =>
        known.Select(k => (Name: k, Distance: Distance(typed, k)))
            .Where(k => k.Distance <= Math.Max(2, typed.Length / 3) || k.Name.StartsWith(typed, StringComparison.Ordinal))
            .OrderBy(k => k.Distance).ThenBy(k => k.Name, StringComparer.Ordinal)
            .Take(3).Select(k => k.Name).ToList();

    /// <summary>Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
