namespace DistCacheAkka.Messages;

/// <summary>
/// Version of an entry: <see cref="Epoch"/> grows whenever a new primary takes a shard over, <see cref="Sequence"/>
/// grows with every write of the shard. Replicas apply a write only if its version is newer (last writer wins
/// by version), so duplicated or reordered replication is harmless.
/// </summary>
public readonly record struct EntryVersion(long Epoch, long Sequence) : IComparable<EntryVersion>
{
    public static readonly EntryVersion Zero = new(0, 0);

    public int CompareTo(EntryVersion other)
    {
        var byEpoch = Epoch.CompareTo(other.Epoch);
        return byEpoch != 0 ? byEpoch : Sequence.CompareTo(other.Sequence);
    }

    public static bool operator >(EntryVersion a, EntryVersion b) => a.CompareTo(b) > 0;
    public static bool operator <(EntryVersion a, EntryVersion b) => a.CompareTo(b) < 0;
    public static bool operator >=(EntryVersion a, EntryVersion b) => a.CompareTo(b) >= 0;
    public static bool operator <=(EntryVersion a, EntryVersion b) => a.CompareTo(b) <= 0;

    public override string ToString() => $"{Epoch}.{Sequence}";
}
