using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace DistCacheAkka.Messages.Hashing;

/// <summary>
/// A consistent-hash ring: every node sits at <see cref="VirtualNodes"/> positions (XxHash64 of "name#i"), kept
/// sorted; a lookup is a binary search for the first position at or after the hash, wrapping around.
/// Immutable: <see cref="Add"/> and <see cref="Remove"/> return a new ring, so a ring can be shared across threads.
/// Deterministic: the same nodes give the same ring on every process, whatever the order they were added in.
/// </summary>
public sealed class HashRing<TNode> where TNode : notnull
{
    private readonly Func<TNode, string> _nameOf;
    private readonly ulong[] _positions;
    private readonly TNode[] _owners;
    private readonly TNode[] _nodes;

    public HashRing(IEnumerable<TNode> nodes, int virtualNodes = 150, Func<TNode, string>? nameOf = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(virtualNodes);
        VirtualNodes = virtualNodes;
        _nameOf = nameOf ?? (n => n.ToString() ?? throw new ArgumentException("A ring node needs a name."));

        var byName = new SortedDictionary<string, TNode>(StringComparer.Ordinal);
        foreach (var node in nodes)
            byName[_nameOf(node)] = node;
        _nodes = byName.Values.ToArray();

        var points = new List<(ulong Position, string Name, TNode Node)>(_nodes.Length * virtualNodes);
        foreach (var (name, node) in byName)
            for (var i = 0; i < virtualNodes; i++)
                points.Add((PositionOf(name, i), name, node));

        // Ties (astronomically rare) are broken by name so that every process builds the same ring.
        points.Sort((a, b) => a.Position != b.Position ? a.Position.CompareTo(b.Position) : string.CompareOrdinal(a.Name, b.Name));
        _positions = points.Select(p => p.Position).ToArray();
        _owners = points.Select(p => p.Node).ToArray();
    }

    public int VirtualNodes { get; }

    /// <summary>The members, ordered by name.</summary>
    public IReadOnlyList<TNode> Nodes => _nodes;

    public int Count => _nodes.Length;

    public HashRing<TNode> Add(TNode node) => new(_nodes.Append(node), VirtualNodes, _nameOf);

    public HashRing<TNode> Remove(TNode node)
    {
        var name = _nameOf(node);
        return new HashRing<TNode>(_nodes.Where(n => _nameOf(n) != name), VirtualNodes, _nameOf);
    }

    /// <summary>The node owning <paramref name="key"/>: the first position clockwise of the key's hash.</summary>
    /// <exception cref="InvalidOperationException">The ring is empty.</exception>
    public TNode GetNode(string key) => _owners[IndexFor(KeyHasher.Hash(key))];

    /// <summary>The node owning a 64-bit hash.</summary>
    public TNode GetNode(ulong hash) => _owners[IndexFor(hash)];

    /// <summary>min(count, N) distinct nodes in ring order, starting with the key's owner.</summary>
    public IReadOnlyList<TNode> GetReplicaNodes(string key, int count) => Walk(KeyHasher.Hash(key), count);

    /// <summary>min(count, N) distinct nodes in ring order from a 64-bit hash.</summary>
    public IReadOnlyList<TNode> GetReplicaNodes(ulong hash, int count) => Walk(hash, count);

    /// <summary>Every node, in the ring order that starts at <paramref name="hash"/>: a preference list.</summary>
    public IReadOnlyList<TNode> PreferenceOrder(ulong hash) => Walk(hash, _nodes.Length);

    /// <summary>
    /// How <paramref name="keyCount"/> uniformly hashed keys would spread over the nodes if each went to its first
    /// preference: each node's share of the ring's arc length times the key count (rounded; sums to keyCount).
    /// </summary>
    public IReadOnlyDictionary<TNode, long> GetLoadDistribution(long keyCount)
    {
        var arcs = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var node in _nodes)
            arcs[_nameOf(node)] = 0;
        for (var i = 0; i < _positions.Length; i++)
        {
            // Position i owns the arc (previous position, position i].
            var previous = i == 0 ? _positions[^1] : _positions[i - 1];
            var arc = unchecked(_positions[i] - previous);
            arcs[_nameOf(_owners[i])] += _positions.Length == 1 ? ulong.MaxValue : arc;
        }

        // Largest-remainder rounding: never negative, and the shares sum to keyCount exactly.
        var total = arcs.Values.Sum();
        var exact = _nodes.Select(n => keyCount * arcs[_nameOf(n)] / total).ToArray();
        var shares = exact.Select(e => (long)Math.Floor(e)).ToArray();
        var left = keyCount - shares.Sum();
        foreach (var i in Enumerable.Range(0, _nodes.Length).OrderByDescending(i => exact[i] - shares[i]).ThenBy(i => i))
        {
            if (left <= 0)
                break;
            shares[i]++;
            left--;
        }

        var result = new Dictionary<TNode, long>();
        for (var i = 0; i < _nodes.Length; i++)
            result[_nodes[i]] = shares[i];
        return result;
    }

    /// <summary>The ring position of a shard: shards are placed on the ring by the hash of their id.</summary>
    public static ulong ShardPosition(int shardId)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, shardId);
        return XxHash64.HashToUInt64(bytes, seed: 0x5348415244L); // "SHARD": keeps shard and key positions independent
    }

    private static ulong PositionOf(string name, int replica) =>
        XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{name}#{replica}"));

    private int IndexFor(ulong hash)
    {
        if (_positions.Length == 0)
            throw new InvalidOperationException("The hash ring has no nodes.");
        var index = Array.BinarySearch(_positions, hash);
        if (index < 0)
            index = ~index;
        return index == _positions.Length ? 0 : index;
    }

    private IReadOnlyList<TNode> Walk(ulong hash, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var wanted = Math.Min(count, _nodes.Length);
        var result = new List<TNode>(wanted);
        if (wanted == 0)
            return result;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = IndexFor(hash), steps = 0; result.Count < wanted && steps < _positions.Length; i = (i + 1) % _positions.Length, steps++)
        {
            var node = _owners[i];
            if (seen.Add(_nameOf(node)))
                result.Add(node);
        }

        return result;
    }
}
