namespace AmebaOta.Cli;

/// <summary>Process exit codes, documented in docs/exit-codes.md; scripts rely on them, so never renumber.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Command line not understood (System.CommandLine's own parse errors also exit 1).</summary>
    public const int Usage = 1;
    /// <summary>An input file is missing, malformed or refused (bad image, wrong-size flash file).</summary>
    public const int BadInput = 2;
    /// <summary><c>flash boot</c>: the boot loader stopped (<c>Fatal:no fw</c> or <c>Invalid Image2 Signature</c>).</summary>
    public const int BootFailed = 3;
    /// <summary>Could not connect: refused, unreachable or timed out.</summary>
    public const int CannotConnect = 4;
    /// <summary>The connection dropped or stalled mid-transfer.</summary>
    public const int TransferFailed = 5;
    /// <summary>No board found by mDNS (discover --device, upload --device).</summary>
    public const int NotFound = 6;
    /// <summary>The board did not come back after the upload (--wait-reboot).</summary>
    public const int NoReboot = 7;
    /// <summary>Some boards of a fleet run were not updated.</summary>
    public const int PartialFailure = 8;
    /// <summary>An I/O or system error (disk full, permission denied).</summary>
    public const int IoError = 9;
    /// <summary>A board asked for is already being updated by other work (another dashboard's or CLI's, at a shared database): nothing new was sent to it.</summary>
    public const int Busy = 10;
    /// <summary>An unexpected internal error (a bug): reported in one line; AMEBAOTA_DEBUG=1 shows the stack trace.</summary>
    public const int Internal = 70;
    /// <summary>Interrupted by Ctrl+C.</summary>
    public const int Cancelled = 130;
}
