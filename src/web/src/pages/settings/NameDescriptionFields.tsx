import { TextAreaField, TextField } from '../../components/Field';

/** The name and description every policy and preset has. */
export function NameDescriptionFields({
  name,
  description,
  onName,
  onDescription,
  errors,
}: {
  name: string;
  description: string;
  onName: (value: string) => void;
  onDescription: (value: string) => void;
  errors: { name?: string | undefined; description?: string | undefined };
}) {
  return (
    <>
      <TextField
        label="Name"
        hint="Lowercase letters, digits and “-”; deployments refer to it by name."
        error={errors.name}
        value={name}
        onChange={onName}
        data-autofocus
        spellCheck={false}
        autoCapitalize="none"
      />
      <TextAreaField label="Description" hint="Optional." error={errors.description} rows={2} value={description} onChange={onDescription} />
    </>
  );
}
