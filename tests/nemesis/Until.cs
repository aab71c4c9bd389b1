namespace DistCacheAkka.Nemesis;

/// <summary>Awaits conditions with deadlines by polling: the nemesis never sleeps to synchronise.</summary>
internal static class Until
{
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Timed out after {deadline.TotalSeconds:0.#} s waiting for: {what}.");
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Timed out after {deadline.TotalSeconds:0.#} s waiting for: {what}.");
            await Task.Delay(100).ConfigureAwait(false);
        }
    }
}
