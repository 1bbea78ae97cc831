namespace AmebaOta.Families;

/// <summary>
/// What a family says before a board of it is sent <c>start_ota</c> for an image (the OTA UI method): reasons to refuse
/// (the board would fail, or write the image and never boot it), things worth a warning, and, when the family's boot rule
/// decides it, why the board will run the new image once it has restarted.
/// </summary>
/// <param name="Refusals">One sentence each; none: the board may be triggered.</param>
/// <param name="Warnings">One sentence each.</param>
/// <param name="BootsBecause">Why the board boots this image once written (null: the family cannot say without knowing what the board runs).</param>
public sealed record OtaUiCheck(IReadOnlyList<string> Refusals, IReadOnlyList<string> Warnings, string? BootsBecause)
{
    /// <summary>Nothing to say.</summary>
    public static OtaUiCheck None { get; } = new([], [], null);

    /// <summary>True when there is a reason to refuse.</summary>
    public bool Refused => Refusals.Count > 0;
}

/// <summary>What a failed OTA UI update looked like from the host, for a family to say what it points to.</summary>
/// <param name="ImageLength">Bytes of the image served.</param>
/// <param name="Acked">Bytes the board acknowledged before it stopped.</param>
/// <param name="TookEverything">True when it acknowledged every byte (it refused the image after reading it).</param>
public sealed record OtaUiFailure(long ImageLength, long Acked, bool TookEverything);
