namespace DistCacheAkka.CacheNode.Storage;

/// <summary>
/// The best eviction candidates seen so far (Redis's eviction pool): each eviction samples a few random entries into
/// the pool, and the pool keeps the <see cref="Capacity"/> with the highest scores across evictions. Scores are
/// recomputed when a victim is picked, so an entry read since it was sampled is not evicted for its old idle time,
/// and entries that were removed meanwhile are skipped. Sampling with a pool is what makes Redis's approximated LRU
/// close to exact LRU (EvictionAccuracySpecs compares them on a skewed trace).
/// </summary>
internal sealed class EvictionPool(int capacity = 16)
{
    private readonly List<StoredEntry> _candidates = new(capacity + 1);

    public int Capacity { get; } = capacity;

    public int Count => _candidates.Count;

    /// <summary>Offers a sampled entry: kept if the pool has room or it scores above the weakest candidate.</summary>
    public void Offer(StoredEntry entry, Func<StoredEntry, double> score)
    {
        if (_candidates.Contains(entry))
            return;
        if (_candidates.Count < Capacity)
        {
            _candidates.Add(entry);
            return;
        }

        var weakest = 0;
        var weakestScore = score(_candidates[0]);
        for (var i = 1; i < _candidates.Count; i++)
        {
            var s = score(_candidates[i]);
            if (s < weakestScore)
                (weakest, weakestScore) = (i, s);
        }

        if (score(entry) > weakestScore)
            _candidates[weakest] = entry;
    }

    /// <summary>Takes the candidate with the highest current score among those <paramref name="eligible"/> says are still
    /// evictable (the others are dropped); null when none is.</summary>
    public StoredEntry? TakeBest(Func<StoredEntry, double> score, Func<StoredEntry, bool> eligible)
    {
        var best = -1;
        var bestScore = double.NegativeInfinity;
        for (var i = _candidates.Count - 1; i >= 0; i--)
        {
            var candidate = _candidates[i];
            if (!eligible(candidate))
            {
                _candidates.RemoveAt(i);
                if (best > i)
                    best--;
                continue;
            }

            var s = score(candidate);
            if (s > bestScore)
                (best, bestScore) = (i, s);
        }

        if (best < 0)
            return null;
        var victim = _candidates[best];
        _candidates.RemoveAt(best);
        return victim;
    }

    public void Clear() => _candidates.Clear();
}
