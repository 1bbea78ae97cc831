namespace AmebaOta.Flash;

public enum FlashOperationKind { Erase, Program }

/// <summary>One erase or program performed on the flash, as reported to <see cref="NorFlash.OperationCompleted"/>.</summary>
public readonly record struct FlashOperation(long Number, FlashOperationKind Kind, uint Address, int Length);
