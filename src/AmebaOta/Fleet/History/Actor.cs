namespace AmebaOta.Fleet.History;

/// <summary>
/// Who does what, for the audit trail: the OS user running the command unless someone else is acting (the dashboard's
/// signed-in user, a site agent on behalf of the requester). Use <see cref="As"/> per flow of work.
/// </summary>
public static class Actor
{
    private static readonly AsyncLocal<string?> _override = new();

    /// <summary>The name recorded for changes made now.</summary>
    public static string Current => _override.Value ?? OsUser;

    /// <summary>The OS user running this process.</summary>
    public static string OsUser { get; } = Environment.UserName is { Length: > 0 } u ? u : "unknown";

    /// <summary>Acts as <paramref name="name"/> in this flow of work (and the tasks it starts) until disposed.</summary>
    public static IDisposable As(string name)
    {
        var before = _override.Value;
        _override.Value = name;
        return new Restore(before);
    }

    private sealed class Restore(string? before) : IDisposable
    {
        public void Dispose() => _override.Value = before;
    }
}
