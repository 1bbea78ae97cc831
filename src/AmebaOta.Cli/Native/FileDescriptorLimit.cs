using System.Runtime.InteropServices;

namespace AmebaOta.Cli.Native;

/// <summary>
/// The process's limit on open files (RLIMIT_NOFILE), which caps sockets too: a command that may hold thousands of
/// connections raises its soft limit up to the hard one, and says so in one line when even that is too low.
/// </summary>
internal static class FileDescriptorLimit
{
    private const int RLIMIT_NOFILE = 7;
    private const ulong Infinity = ulong.MaxValue;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetLimit(int resource, out RLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetLimit(int resource, in RLimit limit);

    /// <summary>The soft and hard limits now, or null where they cannot be read (not Linux).</summary>
    public static (ulong Soft, ulong Hard)? Read()
    {
        if (!OperatingSystem.IsLinux()) return null;
        return GetLimit(RLIMIT_NOFILE, out var limit) == 0 ? (limit.Current, limit.Maximum) : null;
    }

    /// <summary>
    /// Makes room for <paramref name="needed"/> open files (sockets included), raising the soft limit as far as the hard
    /// limit allows. Returns null when there is room, else one sentence for a warning: what is allowed, what
    /// <paramref name="purpose"/> needs, and how to raise it.
    /// </summary>
    public static string? Ensure(long needed, string purpose)
    {
        if (Read() is not { } now || now.Soft >= (ulong)needed) return null;
        ulong wanted = now.Hard == Infinity ? (ulong)needed : Math.Min(now.Hard, (ulong)needed);
        if (wanted > now.Soft && SetLimit(RLIMIT_NOFILE, new RLimit { Current = wanted, Maximum = now.Hard }) != 0)
            wanted = now.Soft;
        if (wanted >= (ulong)needed) return null;
        return $"this process may open only {wanted} files and sockets (the system's hard limit, ulimit -Hn, is {(now.Hard == Infinity ? "unlimited" : now.Hard.ToString())}), " +
            $"fewer than the {needed} {purpose} needs: connections beyond that are refused by the system; raise the limit " +
            "(ulimit -Hn as root, LimitNOFILE= in a systemd unit, nofile in /etc/security/limits.conf) or ask for fewer";
    }
}
